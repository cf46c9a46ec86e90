import * as z from 'zod/mini';
import { HOOK_STAGES } from '../shared/settings/hooks';

/**
 * What the hook's Task left at `$.hook`: its answer (a direct hook's function result, a callback hook's
 * SendTaskSuccess output), or the error its Catch caught (a function error, SendTaskFailure, States.Timeout).
 */
export const hookOutcomeSchema = z.union([
  z.object({ Error: z.string(), Cause: z.nullish(z.string()) }),
  z.object({ answer: z.unknown() }),
]);
export type HookOutcome = z.infer<typeof hookOutcomeSchema>;

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  stage: z.enum(HOOK_STAGES),
  functionName: z.string().check(z.minLength(1)),
  callback: z.boolean(),
  timeoutSeconds: z.int().check(z.minimum(1)),
  outcome: hookOutcomeSchema,
});
export type Input = z.infer<typeof InputSchema>;
