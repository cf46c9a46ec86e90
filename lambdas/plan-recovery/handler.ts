import {
  CLEAN_FAILURE_ERRORS,
  isCleanEndingReport,
  KEEP_STATES,
  KEY_STATES,
  MILESTONE_STATES,
  SHIFT_STATES,
  stateMachineArnOfExecution,
} from '../shared/contract';
import {
  describeExecution,
  enteredStates,
  executionsStartedAfter,
  statesEntered,
} from '../shared/aws/step-functions';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

/**
 * Find what the stopped deployment left (docs/recovery.md): where the execution to recover stopped,
 * and which of its own clean-ups brings the account back to the version proven to serve. Before anything
 * changed (the request checks), nothing; while preparing (production untouched) or aborting, the abort;
 * from the traffic shift (its first share) until the rollback window has passed, or while rolling back, the rollback (the old
 * version is the one proven); while finishing (the window passed: the new version is), the finish. An
 * execution that ended in one of its own endings, succeeded or still runs is left alone. A recovery that
 * ended before its clean-up began hands over to the execution it was recovering. Returns the stopped
 * execution's last state, from which that clean-up resumes. Read-only.
 */

export type RecoveryAction = 'none' | 'abort' | 'rollback' | 'finish';

export interface RecoveryVerdict {
  action: RecoveryAction;
  from: string;
  reason: string;
  /** For `none`: what the quiet ending says. */
  skipReason?: string;
}

export interface RecoveryPlan {
  recovery: RecoveryVerdict;
  /** Why the clean-up runs, as a Catch would have put it: the report reads it. */
  failure?: { Error: string; Cause: string };
  [field: string]: unknown;
}

/** Recoveries of recoveries followed back at most this far: each is an operator's stop or request. */
const MAX_HANDOVERS = 5;

/** Where a deployment, or a recovery, changes the account: the phases and the shift. */
const CHANGING = [
  KEY_STATES.prepare,
  KEY_STATES.abort,
  KEY_STATES.shiftStarts,
  SHIFT_STATES.step,
  KEY_STATES.rollback,
  KEY_STATES.finish,
];

async function run(input: Input, handovers = 0): Promise<RecoveryPlan | RecoveryVerdict> {
  const { recoverFrom } = input;
  const stopped = await describeExecution(recoverFrom);
  const none = (reason: string): RecoveryPlan | RecoveryVerdict => {
    const verdict = {
      action: 'none' as const,
      from: recoverFrom,
      reason,
      skipReason: `nothing to recover after ${stopped.name ?? recoverFrom}: ${reason}`,
    };
    return input.verdictOnly ? verdict : { recovery: verdict, amiId: null };
  };
  const isRecovery = stopped.recoverFrom !== undefined;
  if (stopped.status === 'RUNNING') return none('it is still running');
  if (stopped.status === 'SUCCEEDED') return none('it succeeded');
  const cleanEnding = stopped.status === 'FAILED' && CLEAN_FAILURE_ERRORS.includes(stopped.error ?? '');
  // A recovery refused before its clean-up (its turn never came, say) ends as rejected, yet what it was
  // to recover still needs it: only its entered states tell.
  if (cleanEnding && !isRecovery) return none(`it ended as ${stopped.error}, its own clean-up done`);

  const { entered, last } = await enteredStates(recoverFrom);
  const action = actionAfter(entered);
  if (action === 'none' || last === undefined) {
    // A recovery that ended before its clean-up began (stopped, failed, refused its turn) leaves what it
    // was to recover as it was.
    if (isRecovery && handovers < MAX_HANDOVERS) {
      return run({ ...input, recoverFrom: stopped.recoverFrom ?? recoverFrom }, handovers + 1);
    }
    return none('it stopped before changing anything');
  }
  // Stopped while reporting an ending other than a failed clean-up, or ended in one: its clean-up had run.
  if (isCleanEndingReport(last.name)) return none(`it stopped in "${last.name}", its clean-up done`);
  if (cleanEnding) return none(`it ended as ${stopped.error}, its own clean-up done`);
  // A late or repeated event, or an operator naming an older execution: an execution started since has
  // changed the account (deployed, or recovered this one), and resuming this one's clean-up would undo it.
  const since = await changedSince(recoverFrom, stopped.startDate);
  if (since) return none(`execution ${since} started since and has changed the account`);
  const how =
    stopped.status === 'ABORTED'
      ? 'was stopped'
      : stopped.status === 'TIMED_OUT'
        ? 'timed out'
        : `failed (${stopped.error ?? 'no error name'})`;
  const reason = `execution ${stopped.name ?? recoverFrom} ${how} in "${last.name}"`;
  const verdict = { action, from: recoverFrom, reason };
  if (input.verdictOnly) return verdict;
  return {
    ...(last.input as Record<string, unknown>),
    ...(input.execution && { execution: input.execution }),
    recovery: verdict,
    failure: { Error: 'DeploymentStopped', Cause: `${reason}: its ${action} resumed by this recovery` },
  };
}

/**
 * The clean-up that brings back the version proven to serve: once the window has passed (announced, or the
 * old fleet kept for undo), the new version is, and only an undo already under way (the rollback) goes back.
 */
function actionAfter(entered: Set<string>): RecoveryAction {
  if (entered.has(KEY_STATES.finish)) return 'finish';
  if (entered.has(KEY_STATES.rollback)) return 'rollback';
  if (entered.has(MILESTONE_STATES['window-passed']) || entered.has(KEEP_STATES.oldFleet)) return 'finish';
  // A gradual shift gives production traffic to the new version from its first share on.
  if (entered.has(KEY_STATES.shiftStarts) || entered.has(SHIFT_STATES.step)) return 'rollback';
  if (entered.has(KEY_STATES.abort) || entered.has(KEY_STATES.prepare)) return 'abort';
  return 'none';
}

/**
 * The name of an execution started after `startDate` that has entered a phase which changes the account.
 * Recoveries of this execution that did not succeed (and recoveries of those) are its own clean-up, not a
 * change: recovering it again resumes what they left.
 */
async function changedSince(executionArn: string, startDate: Date | undefined): Promise<string | undefined> {
  if (startDate === undefined) return undefined;
  const stateMachineArn = stateMachineArnOfExecution(executionArn);
  const lineage = new Set([executionArn]);
  const oldestFirst = (await executionsStartedAfter(stateMachineArn, startDate)).reverse();
  for (const later of oldestFirst) {
    if (!later.executionArn) continue;
    const described = await describeExecution(later.executionArn);
    if (described.recoverFrom && lineage.has(described.recoverFrom) && described.status !== 'SUCCEEDED') {
      lineage.add(later.executionArn);
      continue;
    }
    // The names only: which phases it entered, not where it is.
    const { entered } = await statesEntered(later.executionArn);
    if (CHANGING.some((state) => entered.has(state))) return later.name ?? later.executionArn;
  }
  return undefined;
}

export const handler = defineHandler('plan-recovery', InputSchema, (input) => run(input));
