import * as z from 'zod';
import { groupNameSchema, targetGroupArnSchema } from '../shared/settings';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z
  .object({
    /** The old (active) fleet. */
    groupName: groupNameSchema,
    mainTargetGroupArn: targetGroupArnSchema,
  })
  .strict();
export type Input = z.infer<typeof InputSchema>;
