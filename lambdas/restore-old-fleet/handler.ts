import {
  attachMissingTargetGroups,
  describeEachGroup,
  exitAllStandby,
  instancesIn,
} from '../shared/aws/auto-scaling';
import { defineHandler } from '../shared/handler';
import { requireNoneEnteringStandby, resizeAfterStandby, resumeOldFleetProcesses } from '../shared/old-fleet';
import type { StandbyExit } from '../shared/types';
import { InputSchema, type Input } from './input';

export type Output = StandbyExit;

/**
 * Rollback, first half: the old fleet serves again in the main target group (add before remove, I1); the
 * workflow waits for its targets to be healthy before it removes the new group.
 */
async function run(input: Input): Promise<Output> {
  // Attached before ExitStandby, so the instances that leave Standby are registered as they return.
  await attachMissingTargetGroups(input.groupName, [input.mainTargetGroupArn]);
  // One read of both groups: the old one to return, the new one for the size it serves with now.
  const [group, fresh] = await describeEachGroup([input.groupName, input.newGroupName]);
  await resumeOldFleetProcesses(group);
  // Those already in Standby come back now rather than after the slowest one has drained.
  const exitedStandby = await exitAllStandby(group);

  // Restoring the sizes now would launch replacements for the instances still draining, and exiting them
  // later would overshoot (or fail at MaxSize): wait for them instead.
  requireNoneEnteringStandby(group, 'they return to service once they reach Standby.');

  // The sizes from before the deployment, except that instances just returned from Standby are never
  // scaled in again (the group may have grown while the new version was being prepared, and ExitStandby
  // raised desired capacity by what it returned), and that the old fleet comes back at least as large as
  // the new fleet serves with now: load that made the new group scale out during the window is still there
  // when the new group leaves (docs/design.md#capacity). The wait that follows holds the removal of the new
  // group until the old group's desired capacity is in service and healthy.
  const newFleet = instancesIn(fresh, 'InService').length;
  await resizeAfterStandby(group, exitedStandby, (current) => {
    const desired = Math.max(input.capacity.desired, current.desired + exitedStandby, newFleet);
    return { min: input.capacity.min, desired, max: Math.max(input.capacity.max, current.max, desired) };
  });
  return { groupName: input.groupName, exitedStandby };
}

export const handler = defineHandler('restore-old-fleet', InputSchema, run);
