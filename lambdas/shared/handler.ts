import * as z from 'zod/mini';
import { describeIssues } from './contract/schemas';
import { InvalidInputError } from './errors';
import { logger } from './logger';
import type { StepName } from '../../state-machine/step-registry';

/** What of Lambda's context object the logs carry: the request id above all, to find one invocation. */
export interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
}

/**
 * Wraps a step: validates the event against `schema` (a malformed event is a wiring bug or a bad request,
 * reported as InvalidInputError naming the field), logs entry and exit with the invocation's context, and
 * returns plain JSON.
 */
export function defineHandler<Schema extends z.ZodMiniType, Output>(
  /** The step's name in the registry (state-machine/step-registry.ts): a misspelt one fails to compile. */
  step: StepName,
  schema: Schema,
  run: (input: z.infer<Schema>) => Promise<Output>,
): (event: unknown, context?: LambdaContext) => Promise<Output> {
  return async (event: unknown, context?: LambdaContext) => {
    logger.appendKeys({ step });
    // Lambda always passes a context; the tests and the local engine may not.
    if (context) logger.addContext(context);
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidInputError(`Invalid input to ${step}: ${describeIssues(parsed.error)}`);
    }
    logger.info('step started', { input: parsed.data as Record<string, unknown> });
    try {
      const output = await run(parsed.data);
      logger.info('step finished', { output: output as Record<string, unknown> });
      return output;
    } catch (error) {
      logger.error('step failed', error as Error);
      throw error;
    }
  };
}
