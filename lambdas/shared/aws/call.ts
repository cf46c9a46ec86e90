import { AwsRequestError, DeploymentError, TransientAwsError } from '../errors';

/**
 * Error names AWS uses for throttling, contention and server-side faults
 * (docs/aws-facts/api-errors-and-retries.md). SDK v3 names Auto Scaling's with a `Fault` suffix (and marks
 * ScalingActivityInProgressFault a client fault), so list both.
 */
/**
 * The configuration of every step's AWS SDK clients. The standard retry mode makes 3 attempts by default;
 * a step makes up to a dozen calls, and the workflow retries the whole step when one of them fails. Under
 * heavy throttling (Auto Scaling's API is rate-limited per account and Region) three attempts a call let a
 * step with many reads spend the workflow's retries and reject or roll back a sound deployment. Five back
 * off for at most 15 s a call (the SDK's throttling delay: up to 0.5 s × 2^retry, with jitter), well inside
 * a step's timeout.
 */
export const CLIENT_CONFIG = { maxAttempts: 5 } as const;

const TRANSIENT_ERROR_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  // SNS's throttling error (HTTP 429), and the SDK's other throttling names (@smithy/core retry:
  // THROTTLING_ERROR_CODES, less LimitExceededException, which Auto Scaling uses for a quota).
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'EC2ThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
  'ResourceContention',
  'ResourceContentionFault',
  'ScalingActivityInProgress',
  'ScalingActivityInProgressFault',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  // The SDK's own names for a request whose answer never came (a socket timed out or was reset):
  // @smithy/node-http-handler throws TimeoutError, and the standard retry mode retries it as transient.
  'TimeoutError',
  'RequestTimeoutException',
]);

/**
 * Node.js socket error codes the SDK's standard retry mode treats as transient (@smithy/core retry:
 * NODEJS_TIMEOUT_ERROR_CODES and NODEJS_NETWORK_ERROR_CODES): the request may or may not have taken effect.
 */
const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function isTransient(error: unknown): boolean {
  const shape = error as SdkErrorShape;
  return (
    TRANSIENT_ERROR_NAMES.has(shape.name ?? '') ||
    TRANSIENT_SOCKET_CODES.has(shape.code ?? '') ||
    shape.$fault === 'server' ||
    (shape.$metadata?.httpStatusCode ?? 0) >= 500 ||
    // 429 Too Many Requests: throttling whatever the service calls it (the SDK's isThrottlingError).
    shape.$metadata?.httpStatusCode === 429
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
    if (isTransient(error)) throw new TransientAwsError(detail, { cause: error });
    throw new AwsRequestError(detail, { cause: error });
  }
}
