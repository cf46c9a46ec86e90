import * as z from 'zod/mini';
import { groupNameSchema, targetGroupsSchema } from '../shared/settings/fields';
import { shiftPlanSchema } from '../shared/shift-plan';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  plan: shiftPlanSchema,
  targetGroups: targetGroupsSchema,
  /** The group receiving the new version. */
  newGroupName: groupNameSchema,
  /** The group serving now: the old fleet. */
  oldGroupName: groupNameSchema,
  /** The new group's minimum size as launched: lowered while some of it waits in Standby, then restored. */
  newGroupMinSize: z.int().check(z.minimum(0)),
});
export type Input = z.infer<typeof InputSchema>;
