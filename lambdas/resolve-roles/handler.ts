import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  attachedTargetGroupArns,
  capacityOf,
  describeGroups,
  instancesIn,
  listAttachedTargetGroups,
} from '../shared/aws/auto-scaling';
import { InconsistentAccountError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import type { Settings } from '../shared/settings';
import type { Roles } from '../shared/types';
import { nameOf } from './recovery';
import { bothAttached } from './both-attached';
import { checkActive, checkAttachments, checkSharedTemplate, checkStandby } from './checks';
import { InputSchema, type Input } from './input';

/**
 * Find the active and standby groups (docs/design.md#the-flow): which group serves and which receives the new
 * version, discovered from the account (never a flag in the configuration), and a refusal with recovery
 * commands when the account is not in a shape a deployment can start from: generated from what it found,
 * runnable as printed, and never leaving a target group without a group in service (recovery.ts). Read-only.
 */

async function run({ settings }: Input): Promise<Roles> {
  const [blue, green] = await describeBothGroups(settings);
  const mainArn = settings.targetGroups.main;
  const serving: AutoScalingGroup[] = [];
  const attachedTo = new Map<AutoScalingGroup, string[]>();
  for (const group of [blue, green]) {
    // Cross-checked with the group's TargetGroupARNs: a group attached to the main target group by the older
    // API is active, never a standby group to launch into.
    const sources = attachedTargetGroupArns(group, await listAttachedTargetGroups(nameOf(group)));
    attachedTo.set(group, sources);
    if (sources.includes(mainArn)) serving.push(group);
  }

  const firstGroup = settings.firstDeploymentGroup === 'blue' ? blue : green;
  if (serving.length === 2) throw bothAttached(blue, green, firstGroup, attachedTo, settings);

  const active = serving[0];
  const other = (group: AutoScalingGroup) => (group === blue ? green : blue);
  const standby = active ? other(active) : firstGroup;

  if (active) checkActive(active, settings);
  checkStandby(standby);
  checkAttachments(active, standby, attachedTo, settings);
  if (active) checkSharedTemplate(active, standby);

  const inService = active ? instancesIn(active, 'InService').length : 0;
  return {
    firstDeployment: active === undefined,
    active: active
      ? { groupName: nameOf(active), capacity: capacityOf(active), instanceCount: inService }
      : null,
    standby: { groupName: nameOf(standby) },
    targetCapacity: settings.capacity ?? (active ? capacityOf(active) : settings.initialCapacity),
  };
}

async function describeBothGroups(settings: Settings): Promise<[AutoScalingGroup, AutoScalingGroup]> {
  const { blue: blueName, green: greenName } = settings.groups;
  const groups = await describeGroups([blueName, greenName]);
  const find = (name: string) => groups.find((group) => group.AutoScalingGroupName === name);
  const blue = find(blueName);
  const green = find(greenName);
  const missing = [blue ? undefined : blueName, green ? undefined : greenName].filter(Boolean);
  if (!blue || !green) {
    throw new InconsistentAccountError(
      `Auto Scaling group ${missing.map((name) => `"${name}"`).join(' and ')} does not exist in this ` +
        `account and Region: create it, or fix groups.blue / groups.green in the deployment configuration.`,
    );
  }
  return [blue, green];
}

export const handler = defineHandler('resolve-roles', InputSchema, run);
