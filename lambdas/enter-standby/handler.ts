import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  capacityOf,
  describeEachGroup,
  describeGroup,
  enterStandby,
  instanceIds,
  instancesIn,
  instancesOf,
  OLD_FLEET_SUSPENDED_PROCESSES,
  suspendedProcessesOf,
  updateCapacity,
} from '../shared/aws/auto-scaling';
import { suspendForDeployment } from '../shared/aws/deployment-processes';
import { targetGroupName, targetHealth } from '../shared/aws/elb';
import { NotReadyError, UnsafeOperationError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { fleetOf, parkedForShare } from '../shared/old-fleet';
import { stopIfRollbackRequested } from '../shared/operator-request';
import { InputSchema, type Input } from './input';

export interface Output {
  groupName: string;
  /** How many instances this run put into Standby: 0 on a repeated run (I6). */
  movedToStandby: number;
}

/**
 * Takes the old fleet out of service without terminating it (I4): its InService instances enter Standby,
 * which deregisters them from the main target group (they drain, then sit warm for a rollback).
 */
async function run(input: Input): Promise<Output> {
  const group = await describeGroup(input.groupName);
  const suspended = suspendedProcessesOf(group);
  const needsSuspend = OLD_FLEET_SUSPENDED_PROCESSES.some((process) => !suspended.has(process));
  const needsMinZero = (group.MinSize ?? 0) > 0;
  // A repeated run finds the work done: change nothing, and do not re-judge a fleet it already moved.
  if (toPark(group, input.share) === 0 && !needsSuspend && !needsMinZero) {
    return { groupName: input.groupName, movedToStandby: 0 };
  }

  if (suspended.has('Launch')) {
    throw new UnsafeOperationError(
      `Refusing to put ${input.groupName} in Standby: its Launch process is suspended, which blocks ExitStandby, so a rollback could not bring it back. Resume Launch on ${input.groupName} (ResumeProcesses) and retry.`,
    );
  }
  await assertOthersServe(group, input.mainTargetGroupArn);

  // Suspended first (AlarmNotification, ScheduledActions), so that production decides no more launches; then
  // described again, for a launch decided before the suspension shows as desired capacity ahead of its
  // instances.
  await suspendForDeployment(group, OLD_FLEET_SUSPENDED_PROCESSES);
  const [oldNow, newNow] = await describeEachGroup([input.groupName, input.newGroupName]);
  await requireCapacityMatched(oldNow, newNow, input.mainTargetGroupArn, input.share);
  const parked = instanceIds(instancesIn(oldNow, 'InService')).slice(0, toPark(oldNow, input.share));
  // EnterStandby may decrement desired capacity only while it stays >= MinSize
  // (docs/aws-facts/auto-scaling-standby.md#enterstandby); decrementing is what keeps the group from
  // launching replacements for the instances it parks.
  if (needsMinZero) await updateCapacity(input.groupName, { min: 0 });
  await enterStandby(input.groupName, parked);
  return { groupName: input.groupName, movedToStandby: parked.length };
}

/** How many of the fleet parked makes `share` percent of it (all of it without a share). */
function parkedFor(group: AutoScalingGroup, share: number | undefined): number {
  const { serving, parked } = fleetOf(group);
  return share === undefined ? serving + parked : parkedForShare(group, share);
}

/** How many InService instances to park now for `share` (docs/design.md#gradual-shift). */
function toPark(group: AutoScalingGroup, share: number | undefined): number {
  const { serving, parked } = fleetOf(group);
  return Math.min(serving, Math.max(0, parkedFor(group, share) - parked));
}

/**
 * I1 defence: parking this fleet must not leave users with nothing, so the main target group needs at
 * least one healthy target that is not one of this group's instances (the new fleet) before anything moves.
 */
async function assertOthersServe(group: AutoScalingGroup, mainTargetGroupArn: string): Promise<void> {
  const groupName = group.AutoScalingGroupName ?? '';
  const own = new Set(instanceIds(instancesOf(group)));
  const health = await targetHealth(mainTargetGroupArn);
  let healthyElsewhere = 0;
  for (const [id, state] of health) {
    if (state === 'healthy' && !own.has(id)) healthyElsewhere += 1;
  }
  if (healthyElsewhere === 0) {
    const main = targetGroupName(mainTargetGroupArn);
    throw new UnsafeOperationError(
      `Refusing to put ${groupName} in Standby: ${main} has no healthy target outside ${groupName}, so users would be left with nothing. Check that the new group's targets are registered and healthy in ${main} before standing the old fleet down.`,
    );
  }
}

/**
 * Capacity through the shift (docs/design.md#capacity): production may have scaled out after its size was
 * matched (a schedule, its scaling policy, at the very moment of the shift). Instances it is still launching
 * would come InService after the park, next to the new version, and outside Standby; and a new fleet smaller
 * than the old one would leave users short. So the park waits (NotReadyError, retried) until nothing of the
 * old group is launching and the new group's healthy targets in the main target group are at least as many
 * as the old group's InService instances, growing the new group to that size if it is smaller.
 */
async function requireCapacityMatched(
  group: AutoScalingGroup,
  fresh: AutoScalingGroup,
  mainTargetGroupArn: string,
  share: number | undefined,
): Promise<void> {
  const name = group.AutoScalingGroupName ?? '';
  const newName = fresh.AutoScalingGroupName ?? '';
  // The park can wait long: an operator's stop is honoured here as at every other wait.
  stopIfRollbackRequested(fresh, `${name} to be parked in Standby`);
  const oldFleet = instancesIn(group, 'InService').length;
  const pending = instancesOf(group).filter((instance) =>
    (instance.LifecycleState ?? '').startsWith('Pending'),
  ).length;
  // Standby instances do not count towards desired capacity: desired above InService and Pending is a
  // launch Auto Scaling has decided and not started yet.
  const launching = Math.max(pending, (group.DesiredCapacity ?? 0) - oldFleet);
  if (launching > 0) {
    throw new NotReadyError(
      `${launching} instance${launching === 1 ? ' is' : 's are'} of ${name} still launching (production scaled out): the old fleet is parked once they are in service.`,
    );
  }
  // What leaves must have been added: all of the old fleet (what it serves with and what a gradual shift
  // already parked), or the share of it this park stands down.
  const needed = parkedFor(group, share);
  const health = await targetHealth(mainTargetGroupArn);
  const serving = instanceIds(instancesIn(fresh, 'InService')).filter(
    (id) => health.get(id) === 'healthy',
  ).length;
  if (serving >= needed) return;
  const plural = serving === 1 ? '' : 's';
  const where = targetGroupName(mainTargetGroupArn);
  if (share !== undefined) {
    // The shift's own step brought that share of the new fleet in; growing the group would launch
    // instances beside the ones it keeps in Standby.
    throw new NotReadyError(
      `${newName} serves with ${serving} healthy target${plural} in ${where}: ${share}% of ${name} (${needed} instances) is parked once as many serve.`,
    );
  }
  const current = capacityOf(fresh);
  if (current.desired < needed) {
    await updateCapacity(newName, { desired: needed, max: Math.max(current.max, needed) });
  }
  throw new NotReadyError(
    `${newName} serves with ${serving} healthy target${plural} in ${where} and ${name} with ${needed}: the new group grows to ${needed} before the old fleet is parked.`,
  );
}

export const handler = defineHandler('enter-standby', InputSchema, run);
