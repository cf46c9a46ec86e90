import * as z from 'zod/mini';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  /** The execution to recover: stopped, timed out or failed outside its clean-up. */
  recoverFrom: z.string().check(z.minLength(1)),
});
export type Input = z.infer<typeof InputSchema>;
