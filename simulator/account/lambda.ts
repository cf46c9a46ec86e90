/**
 * What Step Functions receives when a Lambda function's handler throws
 * (docs/aws-facts/step-functions.md#error-handling): the error's `name` as the error type, which Retry and
 * Catch match, and as Cause the JSON `{errorType, errorMessage, trace}` the Node.js runtime reports.
 */
export function asLambdaError(error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const lambdaError = new Error(
    JSON.stringify({ errorType: original.name, errorMessage: original.message, trace: [] }),
  );
  lambdaError.name = original.name;
  return lambdaError;
}
