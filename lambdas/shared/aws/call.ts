import { AwsRequestError, DeploymentError, TransientAwsError } from '../errors';

/**
 * Error names AWS uses for throttling, contention and server-side faults (AWS-FACTS.md). SDK v3 names Auto
 * Scaling's with a `Fault` suffix (and marks ScalingActivityInProgressFault a client fault), so list both.
 */
const TRANSIENT_ERROR_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ResourceContention',
  'ResourceContentionFault',
  'ScalingActivityInProgress',
  'ScalingActivityInProgressFault',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
]);

interface SdkErrorShape {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function isTransient(error: unknown): boolean {
  const shape = error as SdkErrorShape;
  return (
    TRANSIENT_ERROR_NAMES.has(shape.name ?? '') ||
    shape.$fault === 'server' ||
    (shape.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

export function errorName(error: unknown): string | undefined {
  return (error as SdkErrorShape).name;
}

/**
 * Runs one AWS call and names its failure for the state machine: transient faults that outlived the SDK's
 * own retries become TransientAwsError (retried with back-off by the workflow), anything else
 * AwsRequestError with the operation and AWS's message, so the execution's failure cause is readable.
 */
export async function callAws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DeploymentError) throw error;
    const shape = error as SdkErrorShape;
    const detail = `${operation} failed: ${shape.name ?? 'Error'}: ${shape.message ?? String(error)}`;
    if (isTransient(error)) throw new TransientAwsError(detail);
    throw new AwsRequestError(detail);
  }
}
