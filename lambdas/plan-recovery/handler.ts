import { CLEAN_FAILURE_ERRORS, isCleanEndingReport, KEY_STATES } from '../shared/contract';
import { describeExecution, enteredStates } from '../shared/aws/step-functions';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

/**
 * Find what the stopped deployment left (docs/recovery.md): where the execution to recover stopped,
 * and which of its own clean-ups brings the account back to the version proven to serve. Before anything
 * changed (the request checks), nothing; while preparing (production untouched) or aborting, the abort;
 * from the traffic shift until the rollback window has passed, or while rolling back, the rollback (the old
 * version is the one proven); while finishing (the window passed: the new version is), the finish. An
 * execution that ended in one of its own endings, succeeded or still runs is left alone. A recovery that
 * ended before its clean-up began hands over to the execution it was recovering. Returns the stopped
 * execution's last state, from which that clean-up resumes. Read-only.
 */

export type RecoveryAction = 'none' | 'abort' | 'rollback' | 'finish';

export interface RecoveryPlan {
  recovery: { action: RecoveryAction; from: string; reason: string };
  /** Why the clean-up runs, as a Catch would have put it: the report reads it. */
  failure?: { Error: string; Cause: string };
  /** For `none`: the report's reason. */
  skipReason?: string;
  [field: string]: unknown;
}

/** Recoveries of recoveries followed back at most this far: each is an operator's stop or request. */
const MAX_HANDOVERS = 5;

async function run({ recoverFrom }: Input, handovers = 0): Promise<RecoveryPlan> {
  const stopped = await describeExecution(recoverFrom);
  const none = (reason: string): RecoveryPlan => ({
    recovery: { action: 'none', from: recoverFrom, reason },
    amiId: null,
    skipReason: `nothing to recover after ${stopped.name ?? recoverFrom}: ${reason}`,
  });
  if (stopped.status === 'RUNNING') return none('it is still running');
  if (stopped.status === 'SUCCEEDED') return none('it succeeded');
  if (stopped.status === 'FAILED' && CLEAN_FAILURE_ERRORS.includes(stopped.error ?? '')) {
    return none(`it ended as ${stopped.error}, its own clean-up done`);
  }

  const { entered, last } = await enteredStates(recoverFrom);
  // Stopped while reporting an ending other than a failed clean-up: its clean-up had run.
  if (last && isCleanEndingReport(last.name)) {
    return none(`it stopped in "${last.name}", its clean-up done`);
  }
  const action: RecoveryAction = entered.has(KEY_STATES.finish)
    ? 'finish'
    : entered.has(KEY_STATES.rollback) || entered.has(KEY_STATES.shiftStarts)
      ? 'rollback'
      : entered.has(KEY_STATES.abort) || entered.has(KEY_STATES.prepare)
        ? 'abort'
        : 'none';
  if (action === 'none' || last === undefined) {
    // A recovery stopped (or failed) before its clean-up began leaves what it was to recover as it was.
    if (stopped.recoverFrom !== undefined && handovers < MAX_HANDOVERS) {
      return run({ recoverFrom: stopped.recoverFrom }, handovers + 1);
    }
    return none('it stopped before changing anything');
  }
  const state = last.input as Record<string, unknown>;
  const how =
    stopped.status === 'ABORTED'
      ? 'was stopped'
      : stopped.status === 'TIMED_OUT'
        ? 'timed out'
        : `failed (${stopped.error ?? 'no error name'})`;
  const reason = `execution ${stopped.name ?? recoverFrom} ${how} in "${last.name}"`;
  return {
    ...state,
    recovery: { action, from: recoverFrom, reason },
    failure: { Error: 'DeploymentStopped', Cause: `${reason}: its ${action} resumed by this recovery` },
  };
}

export const handler = defineHandler('plan-recovery', InputSchema, (input) => run(input));
