import type { Instance } from '@aws-sdk/client-auto-scaling';
import { describeGroup, instanceIds, instancesIn } from '../shared/aws/auto-scaling';
import { describeImage, launchTemplateVersion, type LaunchTemplateRef } from '../shared/aws/ec2';
import { summariseTargets, targetGroupName, targetHealth } from '../shared/aws/elb';
import { InconsistentAccountError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';
import { groupTemplateOf } from '../shared/group-template';
import { notNewerThanServing } from '../shared/release-order';
import { isAutomatic } from '../shared/settings/release';

/**
 * Does the requested AMI already serve? True only when the active group launches it,
 * every instance it has in service runs it, is healthy and healthy in the main target group, and there are
 * as many as desired: then a deployment would only replace a healthy fleet by an identical one, and it
 * ends as "nothing to do" before any change (I8). Anything less, or anything it cannot tell, is "deploy".
 * Read-only.
 */

export interface AlreadyServing {
  alreadyServing: boolean;
  /** An AMI event's AMI that is not a newer release than the one serving: skipped, nothing changed. */
  notNewer: boolean;
  /** Why, in plain words: the report's reason when nothing is to be done. */
  detail: string;
  /**
   * The AMI the active group launches now, or null when there is none or it cannot be told (an SSM
   * parameter, a missing version): what a successful deployment replaced, which `npm run ops -- undo`
   * deploys again (docs/design.md#undo).
   */
  servingAmiId: string | null;
}

async function run(input: Input): Promise<AlreadyServing> {
  const { amiId, roles, mainTargetGroupArn } = input;
  if (!roles.active) return deployAfter('first deployment: no group serves yet', null);
  const name = roles.active.groupName;
  const group = await describeGroup(name);
  const template = groupTemplateOf(group);
  if (!template) {
    return deployAfter(`${name} has no single launch template`, null);
  }

  // What a scale-out or a replacement would launch must be this AMI too, not only what runs now.
  const launches = await imageOf(template, template.Version ?? '$Default');
  // A template that names its AMI through an SSM parameter (`resolve:ssm:…`) cannot be compared here.
  const servingAmiId = launches !== undefined && /^ami-[0-9a-f]+$/.test(launches) ? launches : null;
  const deploy = (detail: string) => deployAfter(detail, servingAmiId);
  if (launches !== amiId) {
    if (isAutomatic(input.trigger) && servingAmiId !== null) {
      const older = await notNewerThanServing(await describeImage(amiId), servingAmiId, input.amiSelector);
      if (older) {
        return {
          alreadyServing: false,
          notNewer: true,
          detail: `${older}: an AMI event or an EC2 Image Builder image deploys only newer releases. To deploy it anyway, start the deployment from the pipeline with {"amiId": "${amiId}"}`,
          servingAmiId,
        };
      }
    }
    return deploy(`${name} launches ${launches ?? 'an unknown AMI'}`);
  }

  // A configured capacity the group does not have yet is a change a deployment rolls out.
  const wanted = roles.targetCapacity;
  if (
    group.MinSize !== wanted.min ||
    group.DesiredCapacity !== wanted.desired ||
    group.MaxSize !== wanted.max
  ) {
    return deploy(`${name} is not at the configured capacity ${wanted.min}/${wanted.desired}/${wanted.max}`);
  }

  const inService = instancesIn(group, 'InService');
  const desired = group.DesiredCapacity ?? 0;
  if (inService.length === 0 || inService.length < desired) {
    return deploy(`${name} has ${inService.length} of ${desired} instances in service`);
  }
  const other = await instancesOnOtherImages(inService, amiId);
  if (other > 0) return deploy(`${other} instances of ${name} in service run another AMI`);
  if (inService.some((instance) => instance.HealthStatus !== 'Healthy')) {
    return deploy(`an instance of ${name} in service is unhealthy`);
  }
  const targets = summariseTargets(await targetHealth(mainTargetGroupArn), instanceIds(inService));
  const main = targetGroupName(mainTargetGroupArn);
  if (targets.healthy !== inService.length) {
    return deploy(`${targets.healthy} of ${inService.length} targets of ${name} healthy in ${main}`);
  }
  return {
    alreadyServing: true,
    notNewer: false,
    detail:
      `${amiId} already serves all traffic from ${name} (${inService.length} instances in service, all ` +
      `healthy in ${main})`,
    servingAmiId,
  };
}

function deployAfter(detail: string, servingAmiId: string | null): AlreadyServing {
  return { alreadyServing: false, notNewer: false, detail, servingAmiId };
}

/** The AMI a template version launches; undefined when the version is gone (then a deployment decides). */
async function imageOf(template: LaunchTemplateRef, version: string): Promise<string | undefined> {
  try {
    return (await launchTemplateVersion(template, version)).LaunchTemplateData?.ImageId;
  } catch (error) {
    if (error instanceof InconsistentAccountError) return undefined;
    throw error;
  }
}

/** Instances launched from a version (or template) whose AMI is not `amiId`; one lookup per distinct version. */
async function instancesOnOtherImages(instances: readonly Instance[], amiId: string): Promise<number> {
  const byVersion = new Map<string, Instance[]>();
  for (const instance of instances) {
    const template = instance.LaunchTemplate;
    const key = JSON.stringify([template?.LaunchTemplateId, template?.LaunchTemplateName, template?.Version]);
    byVersion.set(key, [...(byVersion.get(key) ?? []), instance]);
  }
  let other = 0;
  for (const group of byVersion.values()) {
    const template = group[0].LaunchTemplate;
    // Only a version number says what an instance was launched from; `$Latest` or `$Default` name
    // whatever the template holds now, so they cannot tell (and then a deployment decides).
    const version = template?.Version;
    const image = version && /^\d+$/.test(version) ? await imageOf(template, version) : undefined;
    if (image !== amiId) other += group.length;
  }
  return other;
}

export const handler = defineHandler('check-already-serving', InputSchema, run);
