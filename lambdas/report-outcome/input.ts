import * as z from 'zod/mini';
import { OUTCOMES } from '../shared/contract';
import { rolesSchema } from '../shared/types';

/** A caught error as Step Functions' Catch writes it. */
export const failureSchema = z.object({ Error: z.string(), Cause: z.nullish(z.string()) });

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  outcome: z.enum(OUTCOMES),
  applicationName: z.string().check(z.minLength(1)),
  executionName: z.string().check(z.minLength(1)),
  /** The execution's ARN (`$$.Execution.Id`): the outcome event names it. */
  executionArn: z.catch(z.nullish(z.string()), null),
  amiId: z.catch(z.nullish(z.string()), null),
  roles: z.catch(z.nullish(rolesSchema), null),
  failure: z.catch(z.nullish(failureSchema), null),
  /** What went wrong while aborting or rolling back, when `failure` is what started it. */
  cleanupFailure: z.catch(z.nullish(failureSchema), null),
  skipReason: z.catch(z.nullish(z.string()), null),
  /** What the active group launched before a successful deployment: the AMI an undo deploys again. */
  previousAmiId: z.catch(z.nullish(z.string()), null),
  notificationTopicArn: z.catch(z.nullish(z.string()), null),
});
export type Input = z.infer<typeof InputSchema>;
