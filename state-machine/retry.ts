import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NOT_READY_ERRORS, RETRYABLE_ERRORS } from '../lambdas/shared/errors';
import { RETRY_POLICY, type Retrier } from '../lambdas/shared/retry-policy';

/**
 * Lambda's own transient failures (AWS's recommended list) plus the handlers' retryable errors: throttling
 * and contention that outlived the SDK's retries, or an account mid-transition.
 */
export const TRANSIENT_ERRORS: readonly string[] = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  ...RETRYABLE_ERRORS,
];

/**
 * The one retry policy of the workflow: exponential back-off. Transient errors get 6 attempts over
 * ~2 minutes, with full jitter so that steps throttled together (all Auto Scaling calls share one bucket) do
 * not retry in lockstep. An account mid-transition (instances still draining into Standby) gets attempts for
 * about two hours, without jitter so that they last as long as computed: the longest deregistration delay
 * ALB allows is 3,600 s. The numbers live in
 * lambdas/shared/retry-policy.ts, where the synth-time history budget counts them too.
 */
export function retryTransientErrors(task: sfn.TaskStateBase): void {
  task.addRetry(retryProps(NOT_READY_ERRORS, RETRY_POLICY.notReady));
  task.addRetry(retryProps(TRANSIENT_ERRORS, RETRY_POLICY.transient));
}

function retryProps(errors: readonly string[], retrier: Retrier): sfn.RetryProps {
  return {
    errors: [...errors],
    interval: Duration.seconds(retrier.intervalSeconds),
    maxAttempts: retrier.maxAttempts,
    backoffRate: retrier.backoffRate,
    maxDelay: Duration.seconds(retrier.maxDelaySeconds),
    ...(retrier.jitter === 'full' ? { jitterStrategy: sfn.JitterType.FULL } : {}),
  };
}
