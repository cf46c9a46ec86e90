import { describeGroup, exitAllStandby, listAttachedTargetGroups } from '../shared/aws/auto-scaling';
import { targetGroupName } from '../shared/aws/elb';
import { UnsafeOperationError } from '../shared/errors';
import { unprotectFromScaleIn } from '../shared/aws/scale-in-protection';
import { defineHandler } from '../shared/handler';
import { requireNoneEnteringStandby, resizeAfterStandby, resumeOldFleetProcesses } from '../shared/old-fleet';
import type { StandbyExit } from '../shared/types';
import { InputSchema, type Input } from './input';

export type Output = StandbyExit;

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
  requireNoneEnteringStandby(group, 'retrying once they reach Standby.');

  const exitedStandby = await exitAllStandby(group);
  await unprotectFromScaleIn(group);
  await resizeAfterStandby(group, exitedStandby, () => ({ min: 0, desired: 0 }));
  await resumeOldFleetProcesses(group);
  return { groupName: input.groupName, exitedStandby };
}

export const handler = defineHandler('retire-old-fleet', InputSchema, run);
