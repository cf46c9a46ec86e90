import * as z from 'zod/mini';
import { InputSchema as GuardInput } from '../guard-single-deployment/input';
import { pollInputShape } from '../shared/wait';

/** What the state machine sends this step: the guard's request, and the loop's state. */
export const InputSchema = z.object({
  ...GuardInput.shape,
  ...pollInputShape,
});
export type Input = z.infer<typeof InputSchema>;
