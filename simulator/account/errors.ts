/**
 * Errors shaped like the ones the SDK v3 clients throw, so handler code (and Step Functions Retry/Catch,
 * which match on `error.name`) sees what it would see against AWS. Errors a service models get the SDK's
 * own class (e.g. `ResourceContentionFault`); the rest are the service's base exception carrying the wire
 * error code as `name` (e.g. `ValidationError`, `InvalidAMIID.NotFound`), exactly like the SDK's fallback.
 */
import {
  ActiveInstanceRefreshNotFoundFault,
  AutoScalingServiceException,
  InvalidNextToken as AutoScalingInvalidNextToken,
  LimitExceededFault,
  ResourceContentionFault,
  ScalingActivityInProgressFault,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchServiceException,
  InvalidNextToken as CloudWatchInvalidNextToken,
  InvalidFormatFault,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  ResourceNotFound,
  ValidationException as CloudWatchValidationException,
} from '@aws-sdk/client-cloudwatch';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import {
  AccessDeniedException as EventBridgeAccessDeniedException,
  EventBridgeServiceException,
  ThrottlingException as EventBridgeThrottlingException,
} from '@aws-sdk/client-eventbridge';
import {
  ElasticLoadBalancingV2ServiceException,
  InvalidLoadBalancerActionException,
  InvalidTargetException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  PriorityInUseException,
  RuleNotFoundException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMServiceException, NoSuchEntityException } from '@aws-sdk/client-iam';
import {
  CallRateLimitExceededException,
  ClientException as ImageBuilderClientException,
  ForbiddenException as ImageBuilderForbiddenException,
  ImagebuilderServiceException,
  InvalidRequestException as ImageBuilderInvalidRequestException,
} from '@aws-sdk/client-imagebuilder';
import {
  InvalidParameterException as SnsInvalidParameterException,
  SNSServiceException,
  ThrottledException,
} from '@aws-sdk/client-sns';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidExecutionInput,
  InvalidName,
  InvalidOutput,
  InvalidToken,
  SFNServiceException,
  StateMachineDoesNotExist,
  TaskDoesNotExist,
  TaskTimedOut,
  ValidationException as SfnValidationException,
} from '@aws-sdk/client-sfn';

export type ServiceName =
  | 'autoscaling'
  | 'ec2'
  | 'elasticloadbalancing'
  | 'cloudwatch'
  | 'sns'
  | 'iam'
  | 'states'
  | 'events'
  | 'imagebuilder';

/** What every simulated error has in common (the SDK's `ServiceException` surface). */
export type SimulatedServiceError = Error & {
  readonly $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number };
};

interface ModeledOptions {
  message: string;
  $metadata: { httpStatusCode: number; attempts: number; totalRetryDelay: number };
}
type ModeledErrorClass = new (options: ModeledOptions) => SimulatedServiceError;
type BaseErrorClass = new (options: {
  name: string;
  message: string;
  $fault: 'client' | 'server';
  $metadata: ModeledOptions['$metadata'];
}) => SimulatedServiceError;

const baseClasses: Record<ServiceName, BaseErrorClass> = {
  autoscaling: AutoScalingServiceException,
  ec2: EC2ServiceException,
  elasticloadbalancing: ElasticLoadBalancingV2ServiceException,
  cloudwatch: CloudWatchServiceException,
  sns: SNSServiceException,
  iam: IAMServiceException,
  states: SFNServiceException,
  events: EventBridgeServiceException,
  imagebuilder: ImagebuilderServiceException,
};

// The SDK's modeled exception classes, by the `name` they carry.
const modeledClasses: Record<ServiceName, Record<string, ModeledErrorClass>> = {
  autoscaling: {
    ResourceContentionFault,
    ActiveInstanceRefreshNotFoundFault,
    InvalidNextToken: AutoScalingInvalidNextToken,
    LimitExceededFault,
    ScalingActivityInProgressFault,
  },
  ec2: {},
  elasticloadbalancing: {
    TargetGroupNotFoundException,
    InvalidLoadBalancerActionException,
    InvalidTargetException,
    LoadBalancerNotFoundException,
    ListenerNotFoundException,
    PriorityInUseException,
    RuleNotFoundException,
  },
  cloudwatch: {
    InvalidNextToken: CloudWatchInvalidNextToken,
    // The wire code is InvalidFormat; the SDK's class for it is InvalidFormatFault.
    InvalidFormat: InvalidFormatFault,
    InvalidParameterCombinationException,
    InvalidParameterValueException,
    ValidationException: CloudWatchValidationException,
    ResourceNotFound,
  },
  sns: { InvalidParameterException: SnsInvalidParameterException, ThrottledException },
  iam: { NoSuchEntityException },
  states: {
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    InvalidExecutionInput,
    InvalidName,
    StateMachineDoesNotExist,
    InvalidOutput,
    InvalidToken,
    TaskDoesNotExist,
    TaskTimedOut,
    ValidationException: SfnValidationException,
  },
  events: {
    AccessDeniedException: EventBridgeAccessDeniedException,
    ThrottlingException: EventBridgeThrottlingException,
  },
  imagebuilder: {
    CallRateLimitExceededException,
    ClientException: ImageBuilderClientException,
    ForbiddenException: ImageBuilderForbiddenException,
    InvalidRequestException: ImageBuilderInvalidRequestException,
  },
};

export function serviceError(
  service: ServiceName,
  name: string,
  message: string,
  httpStatusCode = 400,
): SimulatedServiceError {
  const $metadata = { httpStatusCode, attempts: 1, totalRetryDelay: 0 };
  const Modeled = modeledClasses[service][name];
  if (Modeled) return new Modeled({ message, $metadata });
  const Base = baseClasses[service];
  return new Base({ name, message, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata });
}

/**
 * Each service's own throttling error: its code and HTTP status
 * (docs/aws-facts/api-errors-and-retries.md#throttling-and-server-errors).
 */
const THROTTLING: Record<ServiceName, { code: string; status: number; message: string }> = {
  autoscaling: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  // EC2 API reference, "Error codes": RequestLimitExceeded is returned with HTTP 503.
  ec2: { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' },
  elasticloadbalancing: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  // UNCONFIRMED: CloudWatch (JSON protocol, query-compatible) documents `Throttling` as the query code.
  cloudwatch: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  sns: { code: 'ThrottledException', status: 429, message: 'Rate exceeded' },
  // IAM API reference, Common Errors: ThrottlingException, 400.
  iam: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  // Step Functions API reference, Common Errors: ThrottlingException, 400.
  states: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  // EventBridge API reference, Common Errors: ThrottlingException, 400.
  events: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  // GetImage API reference, Errors: CallRateLimitExceededException (HTTP 429 in the SDK's model).
  imagebuilder: { code: 'CallRateLimitExceededException', status: 429, message: 'Rate exceeded' },
};

export function throttlingError(service: ServiceName): SimulatedServiceError {
  const { code, status, message } = THROTTLING[service];
  return serviceError(service, code, message, status);
}

/** A transient server-side failure (the kind SDK and Step Functions retries exist for). */
export function transientError(service: ServiceName, unavailable: boolean): SimulatedServiceError {
  return unavailable
    ? serviceError(
        service,
        'ServiceUnavailable',
        'The request has failed due to a temporary failure of the server.',
        503,
      )
    : serviceError(
        service,
        'InternalFailure',
        'The request processing has failed because of an unknown error.',
        500,
      );
}

/** The generic message AWS uses for request-shape constraint violations. */
export function constraintMessage(value: string, member: string, constraint: string): string {
  return `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`;
}

/** The message for a list longer than its documented limit. */
export function tooManyMessage(values: readonly string[], member: string, limit: number): string {
  return constraintMessage(
    `[${values.join(', ')}]`,
    member,
    `Member must have length less than or equal to ${limit}`,
  );
}
