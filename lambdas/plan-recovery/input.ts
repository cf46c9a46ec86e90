import * as z from 'zod/mini';
import { executionSchema } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  /** The execution to recover: stopped, timed out or failed outside its clean-up. */
  recoverFrom: z.string().check(z.minLength(1)),
  /**
   * Only the verdict (`{action, from, reason, skipReason?}`), before the guard: a recovery with nothing to do
   * ends at once, holding no deployment back. The plan proper, with the state, comes once it is its turn.
   */
  verdictOnly: z.optional(z.boolean()),
  /**
   * The recovery's own execution, which the resumed clean-up runs as (a kept fleet's wait tells itself from
   * the others by it), in place of the stopped one's in its state.
   */
  execution: z.optional(executionSchema),
});
export type Input = z.infer<typeof InputSchema>;
