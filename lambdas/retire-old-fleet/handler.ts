import {
  capacityOf,
  describeGroup,
  exitAllStandby,
  instancesIn,
  listAttachedTargetGroups,
  OLD_FLEET_SUSPENDED_PROCESSES,
  resumeSuspendedProcesses,
  updateCapacity,
} from '../shared/aws/auto-scaling';
import { targetGroupName } from '../shared/aws/elb';
import { NotReadyError, UnsafeOperationError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

export interface Output {
  groupName: string;
  /** How many Standby instances this run released for termination: 0 on a repeated run (I6). */
  exitedStandby: number;
}

/**
 * Ends the old fleet once the window has passed. Standby instances survive scale-in
 * (docs/aws-facts/auto-scaling-standby.md#standby-and-capacity), so they leave Standby first; with no traffic
 * source attached they register nowhere, and scaling the group to zero then terminates them. The group ends
 * at zero with its processes resumed, ready to be the next deployment's standby group.
 */
async function run(input: Input): Promise<Output> {
  // I4 first: ExitStandby registers instances with every attached target group, which would put the old
  // version back in front of users. Removing still deregisters, so only Removed is safe.
  const sources = await listAttachedTargetGroups(input.groupName);
  const stillAttached = sources.filter((source) => source.state !== 'Removed');
  if (stillAttached.length > 0) {
    throw new UnsafeOperationError(
      `Refusing to retire ${input.groupName}: it is still attached to ${stillAttached
        .map((source) => `${targetGroupName(source.arn)} (${source.state ?? 'unknown state'})`)
        .join(
          ', ',
        )}, and ExitStandby would put the old version back in service. Detach it first (detach-target-groups) and wait until it has left.`,
    );
  }

  const group = await describeGroup(input.groupName);
  const entering = instancesIn(group, 'EnteringStandby').length;
  if (entering > 0) {
    throw new NotReadyError(
      `${entering} instance${entering === 1 ? ' is' : 's are'} of ${input.groupName} still entering Standby (draining); retrying once they reach Standby.`,
    );
  }

  const exitedStandby = await exitAllStandby(group);
  const capacity = capacityOf(group);
  // ExitStandby raised desired capacity, so the described sizes are stale once anything left Standby.
  if (exitedStandby > 0 || capacity.min !== 0 || capacity.desired !== 0) {
    await updateCapacity(input.groupName, { min: 0, desired: 0 });
  }
  await resumeSuspendedProcesses(group, OLD_FLEET_SUSPENDED_PROCESSES);
  return { groupName: input.groupName, exitedStandby };
}

export const handler = defineHandler('retire-old-fleet', InputSchema, run);
