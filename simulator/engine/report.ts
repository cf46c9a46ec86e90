import { FAILURE_ERRORS } from '../../lambdas/shared/contract';
import type { AccountSnapshot } from '../account/account';
import type { EnvironmentDescription } from '../account/environment';
import type { Outcome } from '../scenarios/options';
import type { InvariantViolation } from './invariants';
import type { ExecutionRecord, TimelineEntry } from './step-functions-service';

/** What a simulation reports, and whether it went as expected. */
export interface ExecutionReport {
  name: string;
  outcome: Outcome;
  expectedOutcome: Outcome;
  message: string;
  /** The state a stopped execution was stopped in, and the one the run expected (if it expected a stop). */
  stoppedAt: string | null;
  expectedStopAt: string | null;
}

export interface SimulationReport {
  scenario: string;
  outcome: Outcome;
  expectedOutcome: Outcome;
  message: string;
  executions: ExecutionReport[];
  simulatedSeconds: number;
  /** Real time of the whole run, synthesis included. */
  realMs: number;
  /**
   * Of which: getting the synthesized workflow: synthesizing the CDK app in-process, or a few milliseconds
   * when the workflow cache holds this configuration for these sources (workflow-cache.ts).
   */
  synthesisMs: number;
  requests: {
    total: number;
    failed: number;
    appErrors: number;
    byVersion: Record<string, { served: number; appErrors: number }>;
  };
  stateTransitions: number;
  /** Largest state payload of any execution, in bytes (I7, docs/design.md#invariants). */
  maxPayloadBytes: number;
  lambdaInvocations: number;
  /** Outcome notifications the topic accepted (one per execution that ran to an end). */
  notificationsDelivered: number;
  apiCalls: { total: number; byOperation: Record<string, number> };
  invariantViolations: InvariantViolation[];
  finalState: FinalState;
  timeline: TimelineEntry[];
}

export interface FinalState {
  activeGroup: string | null;
  activeAmis: string[];
  activeInstances: number;
  standbyGroup: string | null;
  standbyGroupSize: number;
  /** Target groups (by name) each group is attached to. */
  attachments: Record<string, string[]>;
  /** Instances left in Standby anywhere: none after a finished deployment or rollback. */
  standbyInstances: number;
}

/**
 * Did the run go as expected: every execution's outcome, no invariant violated, no failed user request, and
 * every execution that ran to an end told the notification topic?
 */
export function passed(report: SimulationReport): boolean {
  const ended = report.executions.filter((execution) => execution.stoppedAt === null).length;
  return (
    // At least once: a duplicated report step (at-least-once invocation) may tell the topic twice.
    report.notificationsDelivered >= ended &&
    report.executions.every(
      (execution) =>
        execution.outcome === execution.expectedOutcome &&
        (execution.expectedStopAt === null || execution.stoppedAt === execution.expectedStopAt),
    ) &&
    report.invariantViolations.length === 0 &&
    report.requests.failed === 0
  );
}

export function outcomeOf(record: ExecutionRecord): Outcome {
  if (record.status === 'SUCCEEDED') {
    const outcome = (record.output as { outcome?: string } | undefined)?.outcome;
    return outcome === 'skipped' || outcome === 'already-serving' ? outcome : 'succeeded';
  }
  switch (record.status === 'FAILED' ? record.error : undefined) {
    case FAILURE_ERRORS.rejected:
      return 'rejected';
    case FAILURE_ERRORS.aborted:
      return 'aborted';
    case FAILURE_ERRORS.rolledBack:
      return 'rolled-back';
    case FAILURE_ERRORS.keptServing:
      return 'kept-serving';
    default:
      return 'failed';
  }
}

export function messageOf(record: ExecutionRecord): string {
  if (record.status === 'SUCCEEDED')
    return (record.output as { message?: string } | undefined)?.message ?? 'succeeded';
  if (record.status === 'ABORTED')
    return `Execution stopped in state "${record.currentState}"; nothing was cleaned up.`;
  return record.cause ?? record.error ?? record.status;
}

export function hasHealthyTarget(snapshot: AccountSnapshot, targetGroupArn: string): boolean {
  return (snapshot.targetGroups[targetGroupArn]?.targets ?? []).some((target) => target.state === 'healthy');
}

export function finalStateOf(snapshot: AccountSnapshot, environment: EnvironmentDescription): FinalState {
  const main = environment.mainTargetGroup.arn;
  const names = new Map([
    [main, environment.mainTargetGroup.name],
    [environment.syntheticTargetGroup.arn, environment.syntheticTargetGroup.name],
  ]);
  const groups = Object.values(snapshot.groups);
  const attached = (group: (typeof groups)[number]) =>
    group.trafficSources
      .filter((source) => source.state !== 'Removed')
      .map((source) => names.get(source.identifier) ?? source.identifier);
  // The serving group: attached to the main target group with instances in service (after a stopped
  // execution both groups may be attached, one of them parked in Standby).
  const inServiceCount = (group: (typeof groups)[number]) =>
    group.instances.filter((instance) => instance.lifecycleState === 'InService').length;
  const active = groups
    .filter((group) =>
      group.trafficSources.some((source) => source.identifier === main && source.state !== 'Removed'),
    )
    .sort((a, b) => inServiceCount(b) - inServiceCount(a))[0];
  const standby = groups.find((group) => group !== active) ?? null;
  const inService = active?.instances.filter((instance) => instance.lifecycleState === 'InService') ?? [];
  return {
    activeGroup: active?.name ?? null,
    activeAmis: [...new Set(inService.map((instance) => instance.amiId))].sort(),
    activeInstances: inService.length,
    standbyGroup: standby?.name ?? null,
    standbyGroupSize: standby
      ? standby.instances.filter((instance) => instance.lifecycleState !== 'Terminated').length
      : 0,
    attachments: Object.fromEntries(groups.map((group) => [group.name, attached(group)])),
    standbyInstances: groups.reduce(
      (total, group) =>
        total + group.instances.filter((instance) => instance.lifecycleState === 'Standby').length,
      0,
    ),
  };
}

/** The world as a run's `onSecond` hook sees it, once per virtual second. */
export interface ProgressView {
  at: number;
  state: string | null;
  account: AccountSnapshot;
  requests: SimulationReport['requests'];
  windowProgress: number | null;
}
