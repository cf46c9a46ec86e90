import * as z from 'zod/mini';
import { groupNameSchema, targetGroupArnSchema } from '../shared/settings/fields';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  /** The old (active) fleet. */
  groupName: groupNameSchema,
  mainTargetGroupArn: targetGroupArnSchema,
});
export type Input = z.infer<typeof InputSchema>;
