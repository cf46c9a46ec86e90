import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { causeMessage, FAILURE_ERRORS, type FailureError } from '../../lambdas/shared/contract';

export type ExecutionDescription = Pick<
  DescribeExecutionCommandOutput,
  'status' | 'output' | 'error' | 'cause' | 'input' | 'name' | 'startDate' | 'stopDate'
>;

export interface Outcome {
  /** In plain words: "succeeded", "rolled back", "stopped before the end", … */
  summary: string;
  /** Why, as the report step wrote it, or what it means for the account. */
  reason?: string;
}

/** The state machine's Fail states' errors (the contract's FAILURE_ERRORS), in plain words. */
export const FAILURES: Record<FailureError, string> = {
  [FAILURE_ERRORS.rejected]: 'rejected: nothing changed',
  [FAILURE_ERRORS.aborted]: 'aborted: production untouched, the new version removed',
  [FAILURE_ERRORS.rolledBack]: 'rolled back: the old version serves again',
  [FAILURE_ERRORS.manualAction]: 'MANUAL ACTION NEEDED',
  [FAILURE_ERRORS.keptServing]:
    'FIRST VERSION KEPT SERVING: it failed in its window, and with no earlier version it still serves',
};

/** Successful executions that changed nothing, by the report's outcome; any other success deployed. */
const SUCCESSES: Readonly<Record<string, string>> = {
  skipped: 'skipped: not an AMI of this application, nothing changed',
  'already-serving': 'nothing to do: this AMI already serves, nothing changed',
};

function isFailureError(error: string | undefined): error is FailureError {
  return error !== undefined && Object.hasOwn(FAILURES, error);
}

/** Stopped or timed out executions run no clean-up (as in AWS); the next deployment says how to recover. */
const NO_CLEAN_UP =
  'no clean-up ran. The next deployment refuses an account left half-way and prints the commands that bring it back to a clean state.';

/** Every ending of the state machine, in the words of the report step (lambdas/report-outcome). */
export function outcomeOf(execution: ExecutionDescription): Outcome {
  switch (execution.status) {
    case 'RUNNING':
      return { summary: 'running' };
    case 'SUCCEEDED': {
      const report = parseJson(execution.output) as { outcome?: unknown; message?: unknown } | undefined;
      return {
        summary:
          typeof report?.outcome === 'string' && Object.hasOwn(SUCCESSES, report.outcome)
            ? SUCCESSES[report.outcome]
            : 'succeeded',
        reason: typeof report?.message === 'string' ? report.message : undefined,
      };
    }
    case 'FAILED':
      return {
        summary: isFailureError(execution.error)
          ? FAILURES[execution.error]
          : `failed (${execution.error ?? 'no error name'})`,
        reason: causeMessage(execution.cause),
      };
    case 'ABORTED':
      return { summary: 'stopped (StopExecution)', reason: `Stopped before the end: ${NO_CLEAN_UP}` };
    case 'TIMED_OUT':
      return { summary: 'timed out', reason: `The execution reached its timeout: ${NO_CLEAN_UP}` };
    default:
      return { summary: (execution.status ?? 'unknown').toLowerCase().replace(/_/g, ' ') };
  }
}

export interface DeploymentRequestView {
  amiId?: string;
  windowMinutes?: number;
}

/** The AMI and window override an execution was started with (its input). */
export function requestOf(execution: ExecutionDescription): DeploymentRequestView {
  const input = parseJson(execution.input) as
    { amiId?: unknown; overrides?: { rollbackWindowMinutes?: unknown } } | undefined;
  const window = input?.overrides?.rollbackWindowMinutes;
  return {
    amiId: typeof input?.amiId === 'string' ? input.amiId : undefined,
    windowMinutes: typeof window === 'number' ? window : undefined,
  };
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** "01:04:35" from two dates: how long an execution ran. */
export function duration(from: Date, to: Date): string {
  const total = Math.max(0, Math.floor((to.getTime() - from.getTime()) / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

/** "Status     …": the labels of status and watch line up. */
export function labelled(label: string, text: string): string {
  return `${label.padEnd(11)}${text}`;
}

/** How a finished execution ended: status and duration, outcome, reason. */
export function endingLines(execution: ExecutionDescription): string[] {
  const outcome = outcomeOf(execution);
  const started = execution.startDate ?? new Date();
  const stopped = execution.stopDate ?? new Date();
  const lines = [
    labelled(
      'Status',
      `${execution.status} after ${duration(started, stopped)}, at ${stopped.toISOString()}`,
    ),
    labelled('Outcome', outcome.summary),
  ];
  // A success's text says what now serves; a failure's says why it ended so.
  if (outcome.reason)
    lines.push(labelled(execution.status === 'SUCCEEDED' ? 'Result' : 'Reason', outcome.reason));
  return lines;
}
