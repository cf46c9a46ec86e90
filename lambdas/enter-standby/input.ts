import * as z from 'zod/mini';
import { groupNameSchema, targetGroupArnSchema } from '../shared/settings/fields';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  /** The old (active) fleet. */
  groupName: groupNameSchema,
  mainTargetGroupArn: targetGroupArnSchema,
  /** The new version's group: it must serve with at least the old fleet's size before the old fleet goes. */
  newGroupName: groupNameSchema,
});
export type Input = z.infer<typeof InputSchema>;
