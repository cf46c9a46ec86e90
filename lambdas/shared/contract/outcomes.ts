/**
 * How an execution ends, as the report step names it (`outcome` in its result and in a successful
 * execution's output) and as the Fail states name it (the execution's error). The CLI reads both.
 */
export const OUTCOMES = [
  'succeeded',
  'skipped',
  /** The requested AMI already serves, healthy: nothing was changed. */
  'already-serving',
  'rejected',
  'aborted',
  'rolled-back',
  'kept-serving',
  'manual-action-needed',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The error of each Fail state: what `DescribeExecution` reports for a failed execution. */
export const FAILURE_ERRORS = {
  rejected: 'DeploymentRejected',
  aborted: 'DeploymentAborted',
  rolledBack: 'DeploymentRolledBack',
  manualAction: 'ManualActionNeeded',
  /** A first deployment failed its window: with nothing earlier to return to, it was left serving. */
  keptServing: 'FirstVersionKeptServing',
} as const;
export type FailureError = (typeof FAILURE_ERRORS)[keyof typeof FAILURE_ERRORS];

/** The Fail states' errors that end a deployment cleaned up: a recovery has nothing to do after them. */
export const CLEAN_FAILURE_ERRORS: readonly string[] = [
  FAILURE_ERRORS.rejected,
  FAILURE_ERRORS.aborted,
  FAILURE_ERRORS.rolledBack,
  FAILURE_ERRORS.keptServing,
];

/**
 * A report state of an ending other than a failed clean-up: an execution stopped in it had cleaned up
 * (state-machine/phases/endings.ts names them `Report: …`).
 */
export function isCleanEndingReport(state: string): boolean {
  return /^Report: (?!manual action needed|clean-up failed)/.test(state);
}
