import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { z } from 'zod';
import {
  attachedTargetGroupArns,
  capacityOf,
  describeGroups,
  instanceIds,
  instancesIn,
  instancesOf,
  lifecycleSummary,
  listAttachedTargetGroups,
} from '../shared/aws/auto-scaling';
import { InconsistentAccountError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { settingsSchema, type Settings } from '../shared/settings';
import type { Roles } from '../shared/types';

/**
 * Step 3 (DESIGN §2): which group serves and which receives the new version, discovered from the account
 * (never a flag in the configuration), and a refusal with recovery commands when the account is not in a
 * shape a deployment can start from. Read-only.
 */

const InputSchema = z.object({ settings: settingsSchema });

/** Instance ids quoted in a recovery command; ExitStandby takes at most 20 per call anyway. */
const MAX_IDS_IN_HINT = 20;

async function run({ settings }: z.infer<typeof InputSchema>): Promise<Roles> {
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

  if (serving.length === 2) throw bothAttached(blue, green, mainArn, settings.targetGroups.synthetic);

  const active = serving[0];
  const other = (group: AutoScalingGroup) => (group === blue ? green : blue);
  const firstGroup = settings.firstDeploymentGroup === 'blue' ? blue : green;
  const standby = active ? other(active) : firstGroup;

  if (active) checkActive(active, mainArn);
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

/** The serving fleet must really serve and must not carry Standby leftovers of an interrupted deployment. */
function checkActive(group: AutoScalingGroup, mainArn: string): void {
  const name = nameOf(group);
  rejectStandbyLeftovers(group, 'serves production');
  if (instancesIn(group, 'InService').length === 0) {
    throw new InconsistentAccountError(
      `${name} is attached to the main target group ${mainArn} but has no InService instance, so it ` +
        `cannot be the fleet to fall back on. Either bring it back into service (aws autoscaling ` +
        `update-auto-scaling-group --auto-scaling-group-name ${name} --min-size 1 --desired-capacity 1) ` +
        `and let its instances become healthy, or detach it so the next deployment is a first deployment ` +
        `(aws autoscaling detach-traffic-sources --auto-scaling-group-name ${name} --traffic-sources ` +
        `Identifier=${mainArn},Type=elbv2), then start the deployment again.`,
    );
  }
}

/**
 * The active group serves through the main target group only; the standby group is attached to nothing
 * but, at most, the synthetic target group. Anything else is refused now, with nothing changed, rather than
 * failing later: the old fleet could not be retired (ExitStandby would register it with what is still
 * attached, I4), and the new version would take production traffic before its checks (I2).
 */
function checkAttachments(
  active: AutoScalingGroup | undefined,
  standby: AutoScalingGroup,
  attachedTo: Map<AutoScalingGroup, string[]>,
  settings: Settings,
): void {
  const { main, synthetic } = settings.targetGroups;
  const detach = (group: AutoScalingGroup, arns: string[]) =>
    arns
      .map(
        (arn) =>
          `aws autoscaling detach-traffic-sources --auto-scaling-group-name ${nameOf(group)} --traffic-sources Identifier=${arn},Type=elbv2`,
      )
      .join('; ');
  if (active) {
    const extra = (attachedTo.get(active) ?? []).filter((arn) => arn !== main);
    if (extra.length > 0) {
      throw new InconsistentAccountError(
        `${nameOf(active)} serves production but is also attached to ${extra.join(', ')}` +
          `${extra.includes(synthetic) ? ' (the synthetic target group: an interrupted deployment leaves this)' : ''}. ` +
          `It must be attached to the main target group only, or synthetic checks would reach it and it could ` +
          `not be retired safely after the next deployment. Detach it: ${detach(active, extra)}; then start the deployment again.`,
      );
    }
  }
  const stray = (attachedTo.get(standby) ?? []).filter((arn) => arn !== synthetic);
  if (stray.length > 0) {
    throw new InconsistentAccountError(
      `${nameOf(standby)} is about to receive the new version but is attached to ${stray.join(', ')}, so it ` +
        `would take traffic before the synthetic checks. Detach it: ${detach(standby, stray)}; then start the deployment again.`,
    );
  }
}

/**
 * One launch template for both groups, with production launching `$Latest`: the new version the deployment
 * creates would reach production's next launch before any check (I2).
 */
function checkSharedTemplate(active: AutoScalingGroup, standby: AutoScalingGroup): void {
  const activeTemplate = active.LaunchTemplate;
  const standbyTemplate = standby.LaunchTemplate;
  const same =
    activeTemplate !== undefined &&
    standbyTemplate !== undefined &&
    ((activeTemplate.LaunchTemplateId !== undefined &&
      activeTemplate.LaunchTemplateId === standbyTemplate.LaunchTemplateId) ||
      (activeTemplate.LaunchTemplateName !== undefined &&
        activeTemplate.LaunchTemplateName === standbyTemplate.LaunchTemplateName));
  if (same && activeTemplate.Version === '$Latest') {
    throw new InconsistentAccountError(
      `${nameOf(active)} and ${nameOf(standby)} share a launch template and ${nameOf(active)} launches its ` +
        `$Latest version, so the version this deployment creates would reach production before it is proven. ` +
        `Give each group its own launch template, or point ${nameOf(active)} at a version number ` +
        `(aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${nameOf(active)} ` +
        `--launch-template LaunchTemplateId=${activeTemplate.LaunchTemplateId ?? '<lt-id>'},Version=<number>).`,
    );
  }
}

/** Scale-in does not terminate Standby instances, so the standby group could never become empty. */
/**
 * Both groups in the main target group: an interrupted deployment. The recovery hint must never propose
 * detaching the only group in service (I1), so it names the group that serves and the one parked.
 */
function bothAttached(
  blue: AutoScalingGroup,
  green: AutoScalingGroup,
  mainArn: string,
  syntheticArn: string,
): InconsistentAccountError {
  const detach = (group: AutoScalingGroup, arn = mainArn) =>
    `aws autoscaling detach-traffic-sources --auto-scaling-group-name ${nameOf(group)} ` +
    `--traffic-sources Identifier=${arn},Type=elbv2`;
  const state = (group: AutoScalingGroup) =>
    `${nameOf(group)}: ${lifecycleSummary(instancesOf(group)) || 'no instances'}`;
  const intro =
    `Both ${nameOf(blue)} and ${nameOf(green)} are attached to the main target group ${mainArn}, so there ` +
    `is no standby group to deploy into (an interrupted deployment leaves this; ${state(blue)}; ${state(green)}). `;
  const inService = [blue, green].filter((group) => instancesIn(group, 'InService').length > 0);
  if (inService.length === 1) {
    const serves = inService[0];
    const parked = serves === blue ? green : blue;
    return new InconsistentAccountError(
      intro +
        `Only ${nameOf(serves)} is in service: keep it attached. To keep its version, detach ${nameOf(parked)} ` +
        `(${detach(parked)}), then return its Standby instances (aws autoscaling exit-standby) and scale it to ` +
        `zero; if ${nameOf(serves)} is still attached to the synthetic target group, detach it from that one ` +
        `(${detach(serves, syntheticArn)}); then start the deployment again. To go back to ${nameOf(parked)}'s version instead, exit its ` +
        `Standby instances first and detach ${nameOf(serves)} only once they are healthy in the main target group.`,
    );
  }
  return new InconsistentAccountError(
    intro +
      `Decide which version should serve, check its targets are healthy in the main target group, then ` +
      `detach the other (e.g. ${detach(green)}) and start the deployment again.`,
  );
}

function checkStandby(group: AutoScalingGroup): void {
  rejectStandbyLeftovers(group, 'is about to receive the new version');
}

function rejectStandbyLeftovers(group: AutoScalingGroup, role: string): void {
  const name = nameOf(group);
  const entering = instancesIn(group, 'EnteringStandby');
  const standby = instancesIn(group, 'Standby');
  if (entering.length === 0 && standby.length === 0) return;
  const ids = instanceIds(standby);
  const shown = ids.slice(0, MAX_IDS_IN_HINT).join(' ');
  const more =
    ids.length > MAX_IDS_IN_HINT
      ? ` (repeat for the other ${ids.length - MAX_IDS_IN_HINT}, at most 20 per call)`
      : '';
  const counts = [
    standby.length > 0 ? `${standby.length} in Standby` : undefined,
    entering.length > 0 ? `${entering.length} entering Standby` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const waitFirst =
    entering.length > 0
      ? ' Wait until the instances entering Standby have reached Standby, then return them. '
      : ' ';
  throw new InconsistentAccountError(
    `${name} ${role} but has instances left in Standby by an interrupted deployment (${counts}).` +
      waitFirst +
      (ids.length > 0
        ? `Return them to service: aws autoscaling exit-standby --auto-scaling-group-name ${name} ` +
          `--instance-ids ${shown}${more}; `
        : `Return them to service with aws autoscaling exit-standby --auto-scaling-group-name ${name}; `) +
      `then start the deployment again.`,
  );
}

function nameOf(group: AutoScalingGroup): string {
  return group.AutoScalingGroupName ?? '(unnamed group)';
}

export const handler = defineHandler('resolve-roles', InputSchema, run);
