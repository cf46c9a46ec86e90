import * as z from 'zod/mini';
import { groupNameSchema, targetGroupArnSchema } from '../shared/settings/fields';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  /** The old (active) fleet. */
  groupName: groupNameSchema,
  mainTargetGroupArn: targetGroupArnSchema,
  /** The new version's group: it must serve with at least the old fleet's size before the old fleet goes. */
  newGroupName: groupNameSchema,
  /**
   * A gradual shift's share (docs/design.md#gradual-shift): park only this percentage of the old fleet.
   * Absent: all of it.
   */
  share: z.optional(z.int().check(z.minimum(1), z.maximum(99))),
});
export type Input = z.infer<typeof InputSchema>;
