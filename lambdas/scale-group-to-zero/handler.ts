import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  attachedTargetGroupArns,
  capacityOf,
  describeGroup,
  exitAllStandby,
  instancesIn,
  listAttachedTargetGroups,
} from '../shared/aws/auto-scaling';
import { resumeSuspendedByDeployment } from '../shared/aws/deployment-processes';
import { requireNoneEnteringStandby, resizeAfterStandby } from '../shared/old-fleet';
import { unprotectFromScaleIn } from '../shared/aws/scale-in-protection';
import { defineHandler } from '../shared/handler';
import type { Capacity } from '../shared/settings/fields';
import { InputSchema, type Input } from './input';

/**
 * Empties a group that serves nobody: the standby group before a launch, and the new group when a
 * deployment is aborted or rolled back. MinSize goes to 0 with desired because desired cannot go below min;
 * MaxSize stays, so the next launch only has to set sizes, not restore limits.
 */

export interface ScaleToZeroResult {
  groupName: string;
  /** The sizes found before this call; on a repeated call that is already min 0 / desired 0. */
  previousCapacity: Capacity;
}

async function run({ groupName }: Input): Promise<ScaleToZeroResult> {
  const group = await describeGroup(groupName);
  const previousCapacity = capacityOf(group);
  // Protected instances would survive the scale-in and the wait for an empty group would stall.
  await unprotectFromScaleIn(group);
  const exitedStandby = await exitStandbyWhenDetached(group);
  // A gradual shift holds the new group's scaling while its shares bake; a rollback or an abort empties it
  // here, and the group waits as the next standby group with its processes as the team set them.
  await resumeSuspendedByDeployment(group);
  // Already empty by configuration: a repeated or redundant call must not touch the group (I6).
  await resizeAfterStandby(group, exitedStandby, () => ({ min: 0, desired: 0 }));
  return { groupName, previousCapacity };
}

/**
 * Standby instances survive scale-in (docs/aws-facts/auto-scaling-standby.md#standby-and-capacity): a
 * gradual shift by instances leaves part of the new fleet there. They leave Standby once the group is
 * attached to no target group, so that they register nowhere, and the scale-in then terminates them. While
 * it is still attached (the detach is the step before, on every path that parks new instances), they stay.
 */
async function exitStandbyWhenDetached(group: AutoScalingGroup): Promise<number> {
  if (instancesIn(group, 'Standby').length === 0) return 0;
  const sources = await listAttachedTargetGroups(group.AutoScalingGroupName ?? '');
  if (attachedTargetGroupArns(group, sources).length > 0) return 0;
  requireNoneEnteringStandby(group, 'they leave Standby to be terminated once they reach it.');
  return exitAllStandby(group);
}

export const handler = defineHandler('scale-group-to-zero', InputSchema, run);
