/**
 * Named failures. The state machine routes on `error.name` (Lambda reports it as the error type), so every
 * class sets `name` to its own class name and the names below are a contract with `state-machine/`.
 */
export abstract class DeploymentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The execution input or an override is malformed or out of bounds. Nothing was changed. */
export class InvalidInputError extends DeploymentError {}

/** The orchestrator's own configuration (baked in at synth time) is invalid. */
export class InvalidConfigurationError extends DeploymentError {}

export class AmiNotFoundError extends DeploymentError {}

export class AmiNotAvailableError extends DeploymentError {}

/** A pipeline asked to deploy an AMI that does not belong to this application. */
export class AmiNotRecognisedError extends DeploymentError {}

/** Another execution of this state machine is deploying (I5, docs/design.md#invariants). */
export class DeploymentInProgressError extends DeploymentError {}

/** The account is in a shape the orchestrator cannot safely deploy from; the message says how to recover. */
export class InconsistentAccountError extends DeploymentError {}

/** The group is configured in a way this tool does not handle (e.g. no launch template). */
export class UnsupportedGroupError extends DeploymentError {}

/** A throttling, contention or server-side AWS error that outlasted the SDK's own retries: retry the step. */
export class TransientAwsError extends DeploymentError {}

/** AWS rejected a request for a reason retrying will not fix. */
export class AwsRequestError extends DeploymentError {}

/** A polled condition did not hold before its deadline. */
export class WaitTimeoutError extends DeploymentError {}

export class SyntheticCheckFailedError extends DeploymentError {}

/** A watched CloudWatch alarm is in ALARM during the rollback window. */
export class AlarmFiringError extends DeploymentError {}

/** The new version's instances did not come up: a launch lifecycle hook abandoned their launch. */
export class NewInstancesFailedError extends DeploymentError {}

/** Targets of the new version turned unhealthy in the main target group during the rollback window. */
export class UnhealthyTargetsError extends DeploymentError {}

/**
 * An operator asked to stop the deployment (group tag): honoured by every wait from the launch on, so it
 * aborts before the traffic shift and rolls back after it.
 */
export class RollbackRequestedError extends DeploymentError {}

/** An operator asked for an undo while the old fleet was kept: it serves again (docs/design.md#keeping-fleets). */
export class UndoRequestedError extends DeploymentError {}

/**
 * The new version did worse than the old one on the same traffic, beyond the configured tolerance
 * (monitoring.comparison): its figures and the old one's are in the message.
 */
export class VersionWorseThanOldError extends DeploymentError {}

/** A step that would break an invariant was refused (e.g. retiring a fleet still attached to a target group). */
export class UnsafeOperationError extends DeploymentError {}

/** The account is mid-transition (e.g. instances still entering Standby): the same call will work shortly. */
export class NotReadyError extends DeploymentError {}

/** Errors the state machine retries with back-off; everything else routes to reject, abort or rollback. */
export const RETRYABLE_ERRORS: readonly string[] = [TransientAwsError.name];

/** Retried on a longer budget: waiting out a transition can take a target group's whole deregistration delay. */
export const NOT_READY_ERRORS: readonly string[] = [NotReadyError.name];

/** Something that can be known before any change would make the deployment fail: refused up front (I8). */
export class PreflightCheckFailedError extends DeploymentError {}

/**
 * A lifecycle hook (docs/hooks.md) failed: its function erred, answered `{"result": "fail"}` or anything but
 * `{"result": "pass"}`, or its callback reported a failure. Aborts before the shift, rolls back after it.
 */
export class HookFailedError extends DeploymentError {}

/** A lifecycle hook did not answer within its `timeoutSeconds`: routed as HookFailedError is. */
export class HookTimedOutError extends DeploymentError {}
