import { amiOfState, describeExecution, runningExecutions, whereIs } from './aws/step-functions';
import { admissionPhaseOf } from './contract/states';
import { DeploymentInProgressError, TransientAwsError } from './errors';
import { newestReleaseFirst } from './release-order';
import { isAutomatic, type AmiSelector, type Trigger, type WhileDeploying } from './settings/release';

/**
 * Which execution deploys, when several run (I5, docs/design.md#the-guard): the guard's decision, and the
 * queue's (docs/design.md#newest-wins). Every execution applies the same order to the same executions, so
 * each decides its own fate alone and they agree. Read-only, so any answer changes nothing (I8).
 */

export interface AdmissionRequest {
  readonly execution: { id: string; name: string; stateMachineArn: string; startTime: string };
  /** None for a recovery. */
  readonly amiId: string | null;
  readonly trigger: Trigger;
  /** What a request does while another deployment runs (settings `whileDeploying`). */
  readonly whileDeploying: WhileDeploying;
  /** How releases are told apart and ordered: the queue keeps the newest. */
  readonly amiSelector: AmiSelector;
}

export type Admission =
  /** Nothing runs ahead of this execution: it deploys. */
  | { readonly verdict: 'go'; readonly runningExecutions: number }
  /** Another execution deploys this AMI (an AMI event leaves it to that one): ends as skipped. */
  | { readonly verdict: 'duplicate'; readonly runningExecutions: number; readonly reason: string }
  /** A newer release waits to deploy: this one ends as skipped, nothing changed. */
  | { readonly verdict: 'superseded'; readonly runningExecutions: number; readonly reason: string }
  /** A deployment runs: this one waits for it to end, then looks again. */
  | { readonly verdict: 'queued'; readonly runningExecutions: number; readonly reason: string };

/**
 * The decision holds only if the executions read as being admitted cannot have passed their own guard
 * meanwhile, which takes the 20 s between the guard's two looks (state-machine/phases/request-checks.ts).
 */
const MAX_LOOK_SECONDS = 10;

/** Another execution as the decision weighs it. */
interface Candidate {
  readonly arn: string;
  readonly name: string;
  readonly start: number;
  readonly amiId: string | undefined;
  readonly trigger: Trigger;
  readonly deploying: boolean;
}

export async function decideAdmission(request: AdmissionRequest): Promise<Admission> {
  const { execution, amiId, trigger } = request;
  const lookStarted = Date.now();
  const self: Candidate = {
    arn: execution.id,
    name: execution.name,
    start: Date.parse(execution.startTime),
    amiId: amiId ?? undefined,
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
    const started = await describeExecution(other.executionArn ?? '');
    if (started.status !== 'RUNNING') continue;
    const where = await whereIs(other.executionArn ?? '');
    // One whose last state is too far back to find (a Task retrying for long) is under way.
    const phase = where.lost ? 'deploying' : admissionPhaseOf(where.state);
    if (phase === 'checking' || phase === 'ending') continue;
    // Past its AMI check, the state carries the AMI (an Image Builder request names only its image).
    const amiId = started.amiId ?? (await amiOfState(other.executionArn ?? '', where.eventId));
    candidates.push({
      arn: other.executionArn ?? '',
      name: other.name ?? other.executionArn ?? '',
      start: other.startDate ? new Date(other.startDate).getTime() : Number.NEGATIVE_INFINITY,
      amiId,
      trigger: started.trigger,
      deploying: phase === 'deploying',
    });
  }
  const running = others.length;
  const admission =
    recoveryFirst(self, candidates, running, request.whileDeploying) ??
    (request.whileDeploying === 'reject'
      ? firstComeFirstServed(self, candidates, running)
      : await newestWins(self, candidates, running, request.amiSelector));
  // Measured once the decision is made: ordering the releases reads the AMIs too, and may be retried.
  if (Date.now() - lookStarted > MAX_LOOK_SECONDS * 1000) {
    throw new TransientAwsError(
      `Reading the other executions and their AMIs took more than ${MAX_LOOK_SECONDS} s: looking again, so that none passed its own guard meanwhile.`,
    );
  }
  return admission;
}

/**
 * A recovery (docs/recovery.md) cleans up after a stopped deployment, so it goes before every request
 * waiting to deploy, whatever `whileDeploying` says, and is never superseded; it waits for one already
 * deploying (which started since the stop and owns the account). Of two recoveries, the earlier goes first.
 * Undefined when no recovery is involved.
 */
function recoveryFirst(
  self: Candidate,
  candidates: Candidate[],
  running: number,
  whileDeploying: WhileDeploying,
): Admission | undefined {
  const deploying = candidates.find((candidate) => candidate.deploying);
  const recoveries = candidates.filter(
    (candidate) => !candidate.deploying && candidate.trigger === 'recovery',
  );
  const ahead = (first: Candidate): Admission => ({
    verdict: 'queued',
    runningExecutions: running,
    reason: `${self.trigger === 'recovery' ? 'this recovery' : (self.amiId ?? 'this request')} waits for execution ${first.name} (${first.arn}), ${first.deploying ? 'under way' : 'a recovery'}, to end`,
  });
  if (self.trigger === 'recovery') {
    if (deploying) return ahead(deploying);
    const earlier = recoveries.filter((candidate) => byStart(candidate, self) < 0).sort(byStart)[0];
    return earlier ? ahead(earlier) : { verdict: 'go', runningExecutions: running };
  }
  if (deploying || recoveries.length === 0) return undefined;
  const first = [...recoveries].sort(byStart)[0];
  if (whileDeploying === 'reject') throw inProgress(first, recoveries.length);
  return ahead(first);
}

/**
 * `whileDeploying: reject`: one deploying is ahead of every other; of those being admitted, each AMI's
 * requests count as one, from its earliest start, and the earliest AMI goes on (of its requests the
 * earliest pipeline's, else the earliest event's). The others are refused.
 */
function firstComeFirstServed(self: Candidate, candidates: Candidate[], running: number): Admission {
  const deploying = candidates.find((candidate) => candidate.deploying);
  if (deploying) {
    if (isAutomatic(self.trigger) && deploying.amiId === self.amiId)
      return duplicate(self, deploying, running);
    throw inProgress(deploying, candidates.filter((candidate) => candidate.deploying).length);
  }
  const groups = byAmi([self, ...candidates]).sort((a, b) => byStart(earliest(a), earliest(b)));
  const mine = groups.findIndex((group) => group.includes(self));
  if (mine > 0) {
    throw inProgress(
      earliest(groups[0]),
      groups.slice(0, mine).reduce((total, group) => total + group.length, 0),
    );
  }
  const pipelines = groups[0].filter((candidate) => candidate.trigger === 'pipeline');
  const chosen = earliest(pipelines.length > 0 ? pipelines : groups[0]);
  if (chosen === self) return { verdict: 'go', runningExecutions: running };
  if (isAutomatic(self.trigger)) return duplicate(self, chosen, running);
  // Two pipeline requests for one AMI are two deployments: the later waits its turn.
  throw inProgress(chosen, pipelines.filter((candidate) => byStart(candidate, self) < 0).length);
}

/**
 * `whileDeploying: queue-newest`: an AMI event leaves an AMI another execution deploys or is admitted for
 * to that one (a pipeline's request, else the earliest event). Of the requests waiting to deploy, only the
 * newest release's stays: each AMI's requests count as one, ranked by release, then by their latest
 * request; the others are superseded. The one left waits while a deployment runs, then deploys.
 */
async function newestWins(
  self: Candidate,
  candidates: Candidate[],
  running: number,
  selector: AmiSelector,
): Promise<Admission> {
  const deploying = candidates.find((candidate) => candidate.deploying);
  const waiting = [self, ...candidates.filter((candidate) => !candidate.deploying)];
  const groups = byAmi(waiting);
  const ours = groups.find((group) => group.includes(self)) ?? [self];
  if (isAutomatic(self.trigger)) {
    if (deploying && deploying.amiId === self.amiId) return duplicate(self, deploying, running);
    const chosen = representative(ours);
    if (chosen !== self) return duplicate(self, chosen, running);
  }
  const latest = (group: readonly Candidate[]) => [...group].sort(byStart)[group.length - 1];
  const amiOf = (group: readonly Candidate[]) => group[0].amiId ?? '';
  let ahead: Candidate | undefined;
  if (groups.length > 1) {
    const releases = await newestReleaseFirst(groups.map(amiOf), selector);
    const ranked = [...groups].sort(
      (a, b) => releases.rank(amiOf(a), amiOf(b)) || -byStart(latest(a), latest(b)),
    );
    const higher = ranked.slice(0, ranked.indexOf(ours));
    const newer = higher.find((group) => releases.newer(amiOf(group), amiOf(ours)));
    if (newer) return superseded(self, representative(newer), running);
    // Ranked lower but not older as the serving check compares (mixed tagged and untagged AMIs): it waits.
    if (higher.length > 0) ahead = representative(higher[0]);
  }
  const chosen = representative(ours);
  if (chosen !== self) return superseded(self, chosen, running);
  const first = deploying ?? ahead;
  if (first) {
    return {
      verdict: 'queued',
      runningExecutions: running,
      reason: deploying
        ? `${self.amiId} waits for execution ${deploying.name} (${deploying.arn}), deploying ${deploying.amiId ?? 'an AMI'}, to end; it is the newest release waiting`
        : `${self.amiId} waits for execution ${first.name} (${first.arn}), whose release ${first.amiId ?? ''} ranks first, to deploy or end`,
    };
  }
  return { verdict: 'go', runningExecutions: running };
}

/** Who deploys an AMI requested several times: the latest pipeline's request, else the earliest event's. */
function representative(group: readonly Candidate[]): Candidate {
  const sorted = [...group].sort(byStart);
  const pipelines = sorted.filter((candidate) => candidate.trigger === 'pipeline');
  return pipelines.length > 0 ? pipelines[pipelines.length - 1] : sorted[0];
}

/** Requests grouped by the AMI they deploy (a request without one stands alone). */
function byAmi(candidates: readonly Candidate[]): Candidate[][] {
  const groups = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    const key = candidate.amiId ?? candidate.arn;
    groups.set(key, [...(groups.get(key) ?? []), candidate]);
  }
  return [...groups.values()];
}

function earliest(group: readonly Candidate[]): Candidate {
  return [...group].sort(byStart)[0];
}

function byStart(a: Candidate, b: Candidate): number {
  return a.start - b.start || compareArns(a.arn, b.arn);
}

/** Code-unit order, not locale order: every Lambda container must sort the same way. */
function compareArns(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function describeStart(candidate: Candidate): string {
  if (candidate.trigger === 'pipeline') return 'by a pipeline or an operator';
  return candidate.trigger === 'image-builder' ? 'by its EC2 Image Builder image' : 'by its AMI event';
}

function duplicate(self: Candidate, other: Candidate, running: number): Admission {
  return {
    verdict: 'duplicate',
    runningExecutions: running,
    reason: `${self.amiId} is already being deployed by execution ${other.name} (${other.arn}), started ${describeStart(other)}`,
  };
}

function superseded(self: Candidate, newer: Candidate, running: number): Admission {
  const what =
    newer.amiId === self.amiId
      ? `a later request for ${self.amiId}`
      : `${newer.amiId ?? 'another AMI'}, a newer release`;
  return {
    verdict: 'superseded',
    runningExecutions: running,
    reason: `${self.amiId} is superseded by ${what}, waiting to deploy in execution ${newer.name} (${newer.arn}), started ${describeStart(newer)}: only the newest release waiting deploys`,
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
