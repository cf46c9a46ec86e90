import { capacityOf, describeGroup, updateCapacity } from '../shared/aws/auto-scaling';
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
  // Already empty by configuration: a repeated or redundant call must not touch the group (I6).
  if (previousCapacity.min !== 0 || previousCapacity.desired !== 0) {
    await updateCapacity(groupName, { min: 0, desired: 0 });
  }
  return { groupName, previousCapacity };
}

export const handler = defineHandler('scale-group-to-zero', InputSchema, run);
