import * as z from 'zod/mini';
import { capacitySchema, groupNameSchema, targetGroupsSchema } from '../shared/settings/fields';
import { shiftPlanSchema } from '../shared/shift-plan';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  plan: shiftPlanSchema,
  targetGroups: targetGroupsSchema,
  /** The group receiving the new version. */
  newGroupName: groupNameSchema,
  /** The group serving now: the old fleet. */
  oldGroupName: groupNameSchema,
  /**
   * The new group's sizes as launched: its MinSize is lowered while some of it waits in Standby, and its
   * MaxSize raised if a return from Standby needs the room; both are set back at the last share.
   */
  newGroupCapacity: capacitySchema,
});
export type Input = z.infer<typeof InputSchema>;
