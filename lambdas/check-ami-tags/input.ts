import * as z from 'zod/mini';
import { amiIdSchema } from '../shared/contract/schemas';
import { pollInputShape } from '../shared/wait';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  amiId: amiIdSchema,
  /** The selector's tag key (`amiSelector.tag.key`). */
  tagKey: z.string().check(z.minLength(1)),
  ...pollInputShape,
});
export type Input = z.infer<typeof InputSchema>;
