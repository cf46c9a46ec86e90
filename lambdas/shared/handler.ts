import * as z from 'zod';
import { InvalidInputError } from './errors';
import { logger } from './logger';

/** Turns zod issues into one sentence per field: which field, what was wrong, what is allowed. */
export function describeIssues(error: z.ZodError, root = 'input'): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : root;
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Wraps a step: validates the event against `schema` (a malformed event is a wiring bug or a bad request,
 * reported as InvalidInputError naming the field), logs entry and exit, and returns plain JSON.
 */
export function defineHandler<Schema extends z.ZodType, Output>(
  step: string,
  schema: Schema,
  run: (input: z.infer<Schema>) => Promise<Output>,
): (event: unknown) => Promise<Output> {
  return async (event: unknown) => {
    logger.appendKeys({ step });
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
