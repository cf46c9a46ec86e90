import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import { lastEnteredState, requestOf, runningExecutions } from '../shared/aws/step-functions';
import { admissionPhaseOf } from '../shared/contract/states';
import { DeploymentInProgressError, TransientAwsError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

/**
 * The guard (I5, docs/design.md#the-guard): one deployment at a time. Every running execution applies the
 * same total order (start time, then execution ARN), so of two executions started in the same millisecond
 * exactly one proceeds, and each refuses only when someone else goes first. Read-only, so a refusal changes
 * nothing (I8). ListExecutions is eventually consistent: an execution started a moment ago may not be listed
 * yet; the later one's guard still sees the earlier one, which is the one that must win.
 */

export interface GuardResult {
  /** Other running executions of this state machine, whatever their phase. */
  runningExecutions: number;
  /**
   * Another execution deploys this AMI, and this one, started by its AMI event, leaves it to that one (a
   * pipeline's request, with its overrides, or the AMI's earlier event): why this one ends as skipped.
   */
  duplicateOf: string | null;
}

/**
 * The guard reads the other executions within this many seconds, or looks again: its decision holds only if
 * the executions it read as still checking their AMI cannot have passed their own guard meanwhile, which
 * takes the 20 s wait between the two looks (state-machine/phases/request-checks.ts).
 */
const MAX_LOOK_SECONDS = 10;

/** Another execution as the guard weighs it. */
interface Candidate {
  readonly arn: string;
  readonly name: string;
  readonly start: number;
  readonly amiId: string | undefined;
  readonly trigger: 'pipeline' | 'ami-event';
  readonly deploying: boolean;
}

async function run({ execution, amiId, trigger }: Input): Promise<GuardResult> {
  const lookStarted = Date.now();
  const self: Candidate = {
    arn: execution.id,
    name: execution.name,
    start: Date.parse(execution.startTime),
    amiId,
    trigger,
    deploying: false,
  };
  const others = (await runningExecutions(execution.stateMachineArn)).filter(
    (other) => other.executionArn !== execution.id,
  );
  const candidates: Candidate[] = [];
  for (const other of others) {
    // One still checking its AMI (its tags may take minutes, and it may be another application's), ending
    // without a change, or no longer running holds nothing back.
    const phase = admissionPhaseOf(await lastEnteredState(other.executionArn ?? ''));
    if (phase === 'checking' || phase === 'ending') continue;
    const request = await requestOf(other.executionArn ?? '');
    if (request.status !== 'RUNNING') continue;
    candidates.push({
      arn: other.executionArn ?? '',
      name: other.name ?? other.executionArn ?? '',
      start: startOf(other),
      amiId: request.amiId,
      trigger: request.trigger,
      deploying: phase === 'deploying',
    });
  }
  if (Date.now() - lookStarted > MAX_LOOK_SECONDS * 1000) {
    throw new TransientAwsError(
      `Reading the other executions took more than ${MAX_LOOK_SECONDS} s: looking again, so that none passed its own guard meanwhile.`,
    );
  }

  // One already deploying is ahead of every other; an AMI event leaves its own AMI to it.
  const deploying = candidates.find((candidate) => candidate.deploying);
  if (deploying) {
    if (trigger === 'ami-event' && deploying.amiId === amiId)
      return duplicate(self, deploying, others.length);
    throw inProgress(deploying, candidates.filter((candidate) => candidate.deploying).length);
  }

  // Of those being admitted, each AMI's requests count as one, from its earliest start: the earliest AMI
  // goes on (ties: the smaller ARN), and of its requests the earliest pipeline's, else the earliest event's
  // (docs/design.md#one-deployment-per-ami). Every guard orders the same executions the same way.
  const everyone = [self, ...candidates];
  const earliest = (group: readonly Candidate[]) => [...group].sort(byStart)[0];
  const byAmi = new Map<string, Candidate[]>();
  for (const candidate of everyone) {
    const key = candidate.amiId ?? candidate.arn;
    byAmi.set(key, [...(byAmi.get(key) ?? []), candidate]);
  }
  const groups = [...byAmi.values()].sort((a, b) => byStart(earliest(a), earliest(b)));
  const winners = groups[0];
  const mine = groups.findIndex((group) => group.includes(self));
  if (mine > 0) {
    throw inProgress(
      earliest(winners),
      groups.slice(0, mine).reduce((total, group) => total + group.length, 0),
    );
  }
  const pipelines = winners.filter((candidate) => candidate.trigger === 'pipeline');
  const chosen = earliest(pipelines.length > 0 ? pipelines : winners);
  if (chosen === self) return { runningExecutions: others.length, duplicateOf: null };
  if (trigger === 'ami-event') return duplicate(self, chosen, others.length);
  // Two pipeline requests for one AMI are two deployments: the later waits its turn.
  throw inProgress(chosen, pipelines.filter((candidate) => byStart(candidate, self) < 0).length);
}

function byStart(a: Candidate, b: Candidate): number {
  return a.start - b.start || compareArns(a.arn, b.arn);
}

function duplicate(self: Candidate, other: Candidate, running: number): GuardResult {
  return {
    runningExecutions: running,
    duplicateOf: `${self.amiId} is already being deployed by execution ${other.name} (${other.arn}), started ${other.trigger === 'pipeline' ? 'by a pipeline or an operator' : 'by its AMI event'}`,
  };
}

function inProgress(first: Candidate, ahead: number): DeploymentInProgressError {
  const started = Number.isFinite(first.start) ? new Date(first.start).toISOString() : 'an unknown time';
  const more = ahead > 1 ? ` (and ${ahead - 1} more queued before this one)` : '';
  return new DeploymentInProgressError(
    `Another deployment is running: execution ${first.name} (${first.arn}) ` +
      `started at ${started}${more}. Only one deployment runs at a time. Wait for it to finish and start ` +
      `this deployment again, or stop it first: aws stepfunctions stop-execution --execution-arn ` +
      `${first.arn}`,
  );
}

function startOf(item: ExecutionListItem): number {
  return item.startDate ? new Date(item.startDate).getTime() : Number.NEGATIVE_INFINITY;
}

/** Code-unit order, not locale order: every Lambda container must sort the same way. */
function compareArns(a: string | undefined, b: string | undefined): number {
  const left = a ?? '';
  const right = b ?? '';
  return left < right ? -1 : left > right ? 1 : 0;
}

export const handler = defineHandler('guard-single-deployment', InputSchema, run);
