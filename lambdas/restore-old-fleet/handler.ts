import {
  attachMissingTargetGroups,
  capacityOf,
  describeGroup,
  exitAllStandby,
  instancesIn,
  OLD_FLEET_SUSPENDED_PROCESSES,
  resumeSuspendedProcesses,
  updateCapacity,
} from '../shared/aws/auto-scaling';
import { NotReadyError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

export interface Output {
  groupName: string;
  /** How many Standby instances this run returned to service: 0 on a repeated run (I6). */
  exitedStandby: number;
}

/**
 * Rollback, first half: the old fleet serves again in the main target group (add before remove, I1); the
 * workflow waits for its targets to be healthy before it removes the new group.
 */
async function run(input: Input): Promise<Output> {
  // Attached before ExitStandby, so the instances that leave Standby are registered as they return.
  await attachMissingTargetGroups(input.groupName, [input.mainTargetGroupArn]);
  const group = await describeGroup(input.groupName);
  await resumeSuspendedProcesses(group, OLD_FLEET_SUSPENDED_PROCESSES);
  // Those already in Standby come back now rather than after the slowest one has drained.
  const exitedStandby = await exitAllStandby(group);

  // Restoring the sizes now would launch replacements for the instances still draining, and exiting them
  // later would overshoot (or fail at MaxSize): wait for them instead.
  const entering = instancesIn(group, 'EnteringStandby').length;
  if (entering > 0) {
    throw new NotReadyError(
      `${entering} instance${entering === 1 ? ' is' : 's are'} of ${input.groupName} still entering Standby (draining); they return to service once they reach Standby.`,
    );
  }

  const current = capacityOf(group);
  // The sizes from before the deployment, except that instances just returned from Standby are never
  // scaled in again: the group may have grown while the new version was being prepared, and ExitStandby
  // raised desired capacity by what it returned.
  const desired = Math.max(input.capacity.desired, current.desired + exitedStandby);
  const { min } = input.capacity;
  const max = Math.max(input.capacity.max, desired);
  if (exitedStandby > 0 || current.min !== min || current.desired !== desired || current.max !== max) {
    await updateCapacity(input.groupName, { min, desired, max });
  }
  return { groupName: input.groupName, exitedStandby };
}

export const handler = defineHandler('restore-old-fleet', InputSchema, run);
