import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NOT_READY_ERRORS, RETRYABLE_ERRORS } from '../lambdas/shared/errors';

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
 * The one retry policy of the workflow: exponential back-off with full jitter, so that steps throttled
 * together (all Auto Scaling calls share one bucket) do not retry in lockstep. Transient errors get
 * 6 attempts over ~2 minutes. An account mid-transition (instances still draining into Standby) gets
 * attempts for over an hour: the longest deregistration delay ALB allows is 3,600 s.
 */
export function retryTransientErrors(task: sfn.TaskStateBase): void {
  task.addRetry({
    errors: [...NOT_READY_ERRORS],
    interval: Duration.seconds(10),
    maxAttempts: 120,
    backoffRate: 1.5,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  task.addRetry({
    errors: [...TRANSIENT_ERRORS],
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
}
