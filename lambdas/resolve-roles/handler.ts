import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { z } from 'zod';
import {
  capacityOf,
  describeGroups,
  instanceIds,
  instancesIn,
  instancesOf,
  lifecycleSummary,
  isAttached,
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
  for (const group of [blue, green]) {
    const sources = await listAttachedTargetGroups(nameOf(group));
    if (sources.some((source) => source.arn === mainArn && isAttached(source))) serving.push(group);
  }

  if (serving.length === 2) throw bothAttached(blue, green, mainArn);

  const active = serving[0];
  const other = (group: AutoScalingGroup) => (group === blue ? green : blue);
  const firstGroup = settings.firstDeploymentGroup === 'blue' ? blue : green;
  const standby = active ? other(active) : firstGroup;

  if (active) checkActive(active, mainArn);
  checkStandby(standby);

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

/** Scale-in does not terminate Standby instances, so the standby group could never become empty. */
/**
 * Both groups in the main target group: an interrupted deployment. The recovery hint must never propose
 * detaching the only group in service (I1), so it names the group that serves and the one parked.
 */
function bothAttached(
  blue: AutoScalingGroup,
  green: AutoScalingGroup,
  mainArn: string,
): InconsistentAccountError {
  const detach = (group: AutoScalingGroup) =>
    `aws autoscaling detach-traffic-sources --auto-scaling-group-name ${nameOf(group)} ` +
    `--traffic-sources Identifier=${mainArn},Type=elbv2`;
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
        `zero, and start the deployment again. To go back to ${nameOf(parked)}'s version instead, exit its ` +
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
