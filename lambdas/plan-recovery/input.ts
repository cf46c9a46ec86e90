import * as z from 'zod/mini';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  /** The execution to recover: stopped, timed out or failed outside its clean-up. */
  recoverFrom: z.string().check(z.minLength(1)),
  /**
   * Only the verdict (`{action, from, reason, skipReason?}`), before the guard: a recovery with nothing to do
   * ends at once, holding no deployment back. The plan proper, with the state, comes once it is its turn.
   */
  verdictOnly: z.optional(z.boolean()),
});
export type Input = z.infer<typeof InputSchema>;
