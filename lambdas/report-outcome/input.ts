import * as z from 'zod';
import { OUTCOMES } from '../shared/contract';
import { rolesSchema } from '../shared/types';

/** A caught error as Step Functions' Catch writes it. */
export const failureSchema = z.object({ Error: z.string(), Cause: z.string().nullish() });

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  outcome: z.enum(OUTCOMES),
  applicationName: z.string().min(1),
  executionName: z.string().min(1),
  /** The execution's ARN (`$$.Execution.Id`): the outcome event names it. */
  executionArn: z.string().nullish().catch(null),
  amiId: z.string().nullish().catch(null),
  roles: rolesSchema.nullish().catch(null),
  failure: failureSchema.nullish().catch(null),
  /** What went wrong while aborting or rolling back, when `failure` is what started it. */
  cleanupFailure: failureSchema.nullish().catch(null),
  skipReason: z.string().nullish().catch(null),
  notificationTopicArn: z.string().nullish().catch(null),
});
export type Input = z.infer<typeof InputSchema>;
