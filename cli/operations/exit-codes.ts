import { FAILURE_ERRORS, type FailureError, type Outcome } from '../../lambdas/shared/contract';

/**
 * What a command can end with: every outcome of the state machine (lambdas/shared/contract/outcomes.ts),
 * the endings Step Functions imposes without the report step (stopped, timed out), and the CLI's own.
 */
export type CliOutcome =
  Outcome | 'shifted' | 'stopped' | 'timed-out' | 'still-running' | 'error' | 'usage-error';

/**
 * One exit code per outcome, so that a pipeline can branch on `$?` without parsing text. A Record over
 * the contract's outcomes: an outcome added there does not compile until it has a code here (and a row
 * in the exit-code table of docs/operations.md, which test/cli/exit-codes.test.ts compares with this map).
 */
export const EXIT_CODES: Record<CliOutcome, number> = {
  succeeded: 0,
  'already-serving': 0,
  shifted: 0,
  error: 1,
  'usage-error': 2,
  rejected: 3,
  aborted: 4,
  'rolled-back': 5,
  'manual-action-needed': 6,
  'kept-serving': 7,
  'timed-out': 8,
  stopped: 9,
  skipped: 10,
  'still-running': 11,
};

/** The outcome a Fail state's error stands for, when the report step's own result is not readable. */
export const OUTCOME_OF_ERROR: Record<FailureError, Outcome> = {
  [FAILURE_ERRORS.rejected]: 'rejected',
  [FAILURE_ERRORS.aborted]: 'aborted',
  [FAILURE_ERRORS.rolledBack]: 'rolled-back',
  [FAILURE_ERRORS.manualAction]: 'manual-action-needed',
  [FAILURE_ERRORS.keptServing]: 'kept-serving',
};

export function isFailureError(error: string | undefined): error is FailureError {
  return error !== undefined && Object.hasOwn(OUTCOME_OF_ERROR, error);
}
