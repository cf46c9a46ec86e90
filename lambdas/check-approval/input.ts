import * as z from 'zod/mini';
import { groupNameSchema } from '../shared/settings/fields';
import { pollInputShape } from '../shared/wait';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  /** The group receiving the new version: the operator's answer is a tag on it. */
  groupName: groupNameSchema,
  /** What an unanswered request does once `timeoutSeconds` have passed (approval.onTimeout). */
  onTimeout: z.enum(['abort', 'continue']),
  ...pollInputShape,
});
export type Input = z.infer<typeof InputSchema>;
