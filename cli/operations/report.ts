import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { OUTCOMES, type Outcome } from '../../lambdas/shared/contract';
import { EXIT_CODES, isFailureError, OUTCOME_OF_ERROR, type CliOutcome } from './exit-codes';
import { outcomeOf, requestOf } from './outcome';

/** What `--output json` prints for one deployment: the same fields whatever the command. */
export interface DeploymentReport {
  outcome: CliOutcome;
  exitCode: number;
  /** In plain words, as the text output says it. */
  summary: string;
  reason: string | null;
  execution: { arn: string; name: string | null; status: string };
  amiId: string | null;
  activeGroup: string | null;
  previousGroup: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  durationSeconds: number | null;
}

/** The report step's result (lambdas/report-outcome), kept under `$.outcome` by every Report: state. */
export interface ReportResult {
  outcome?: unknown;
  activeGroup?: unknown;
  previousGroup?: unknown;
  /** A success's record of what the previous group launched (cli/operations/undo-plan.ts). */
  previousAmiId?: unknown;
  amiId?: unknown;
}

const REPORT_STATE = /^Report: /;
/** The Report: state is among the last few events of an ended execution (then a Fail or Succeed state). */
const LAST_EVENTS = 10;

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function isOutcome(value: unknown): value is Outcome {
  return (OUTCOMES as readonly unknown[]).includes(value);
}

/** The report step's result, read from the newest events (a successful execution's output carries it too). */
export async function reportResult(
  client: SFNClient,
  executionArn: string,
): Promise<ReportResult | undefined> {
  const page = await client.send(
    new GetExecutionHistoryCommand({
      executionArn,
      reverseOrder: true,
      maxResults: LAST_EVENTS,
      includeExecutionData: true,
    }),
  );
  const events = [...(page.events ?? [])].sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
  for (const event of events) {
    const exited = event.stateExitedEventDetails;
    if (!exited || !REPORT_STATE.test(exited.name ?? '')) continue;
    try {
      return (JSON.parse(exited.output ?? '{}') as { outcome?: ReportResult }).outcome;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function outcomeName(execution: DescribeExecutionCommandOutput, report?: ReportResult): CliOutcome {
  switch (execution.status) {
    case 'RUNNING':
      // Reported only when following stopped before the end (--timeout): the exit-code table in docs/operations.md.
      return 'still-running';
    case 'ABORTED':
      return 'stopped';
    case 'TIMED_OUT':
      return 'timed-out';
    case 'SUCCEEDED':
    case 'FAILED':
      if (isOutcome(report?.outcome)) return report.outcome;
      if (execution.status === 'SUCCEEDED') return 'succeeded';
      return isFailureError(execution.error) ? OUTCOME_OF_ERROR[execution.error] : 'error';
    default:
      return 'error';
  }
}

/** The deployment as a pipeline reads it: DescribeExecution, plus the report step's result once it ended. */
export async function deploymentReport(client: SFNClient, executionArn: string): Promise<DeploymentReport> {
  const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
  return reportOf(client, executionArn, execution);
}

export async function reportOf(
  client: SFNClient,
  executionArn: string,
  execution: DescribeExecutionCommandOutput,
): Promise<DeploymentReport> {
  const ended = execution.status !== 'RUNNING';
  const report = ended ? await reportResult(client, executionArn) : undefined;
  const outcome = outcomeName(execution, report);
  const plain = outcomeOf(execution);
  const started = execution.startDate;
  const stopped = execution.stopDate;
  return {
    outcome,
    exitCode: EXIT_CODES[outcome],
    summary: plain.summary,
    reason: plain.reason ?? null,
    execution: { arn: executionArn, name: execution.name ?? null, status: execution.status ?? 'UNKNOWN' },
    amiId: requestOf(execution).amiId ?? null,
    activeGroup: text(report?.activeGroup),
    previousGroup: text(report?.previousGroup),
    startedAt: started?.toISOString() ?? null,
    stoppedAt: stopped?.toISOString() ?? null,
    durationSeconds: started
      ? Math.round(((stopped ?? new Date()).getTime() - started.getTime()) / 1000)
      : null,
  };
}
