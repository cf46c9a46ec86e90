/** The name the Lambdas log and trace as, and the functions are configured with (POWERTOOLS_SERVICE_NAME). */
export const SERVICE_NAME = 'asg-blue-green';

/**
 * The human sentence inside a Catch's or a failed execution's Cause: a Lambda failure's Cause is the JSON
 * `{"errorType","errorMessage","trace"}` (docs/aws-facts/step-functions.md#error-handling), other states'
 * Causes are plain text, some have none (undefined then).
 */
export function causeMessage(cause: string | null | undefined): string | undefined {
  const text = cause?.trim() ?? '';
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { errorMessage?: unknown };
      if (typeof parsed.errorMessage === 'string' && parsed.errorMessage !== '') return parsed.errorMessage;
    } catch {
      // Not JSON after all: the plain text.
    }
  }
  return text === '' ? undefined : text;
}
