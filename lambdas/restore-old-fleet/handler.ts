import { attachMissingTargetGroups, describeGroup, exitAllStandby } from '../shared/aws/auto-scaling';
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
  const group = await describeGroup(input.groupName);
  await resumeOldFleetProcesses(group);
  // Those already in Standby come back now rather than after the slowest one has drained.
  const exitedStandby = await exitAllStandby(group);

  // Restoring the sizes now would launch replacements for the instances still draining, and exiting them
  // later would overshoot (or fail at MaxSize): wait for them instead.
  requireNoneEnteringStandby(group, 'they return to service once they reach Standby.');

  // The sizes from before the deployment, except that instances just returned from Standby are never
  // scaled in again: the group may have grown while the new version was being prepared, and ExitStandby
  // raised desired capacity by what it returned.
  await resizeAfterStandby(group, exitedStandby, (current) => {
    const desired = Math.max(input.capacity.desired, current.desired + exitedStandby);
    return { min: input.capacity.min, desired, max: Math.max(input.capacity.max, desired) };
  });
  return { groupName: input.groupName, exitedStandby };
}

export const handler = defineHandler('restore-old-fleet', InputSchema, run);
