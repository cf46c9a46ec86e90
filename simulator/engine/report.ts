import type { HookInvocation } from '../account/user-functions';
import {
  FAILURE_ERRORS,
  MILESTONE_STATES,
  MILESTONES,
  RECOVERY_STATES,
  type Milestone,
  type ProgressMilestone,
} from '../../lambdas/shared/contract';
import type { PublishedEvent } from '../account/eventbridge';
import type { PublishedMessage } from '../account/sns';
import type { AccountSnapshot } from '../account/account';
import type { ScalingAction } from '../account/scaling-policies';
import type { EnvironmentDescription } from '../account/environment';
import type { Outcome } from '../scenarios/options';
import type { TrafficStep } from '../traffic/traffic-steps';
import type { InvariantViolation } from './invariants';
import type { PlannedRun } from './plan';
import type { RuleStart, StartedBy } from './triggers';
import type { ExecutionRecord, TimelineEntry } from './step-functions-service';

/** What a simulation reports, and whether it went as expected. */
export interface ExecutionReport {
  /** Empty when no execution started. */
  name: string;
  outcome: Outcome;
  /** `none`: no run expected it (a rule started it for an event no run's action caused, or one too many). */
  expectedOutcome: Outcome | 'none';
  message: string;
  /**
   * A run's account action should have started this execution and did not (no rule matched, or a delivery
   * failed): `outcome` is `failed` and `message` says why.
   */
  notStarted?: true;
  /**
   * What started it: its run's input, or a rule and the event it delivered (an AMI event, or another
   * execution's status change). Null for an execution no rule started when one should have.
   */
  startedBy: StartedBy | null;
  /** The state a stopped execution was stopped in, and the one the run expected (if it expected a stop). */
  stoppedAt: string | null;
  expectedStopAt: string | null;
  /** Its own Lambda invocations (the run's total is the report's `lambdaInvocations`). */
  lambdaInvocations: number;
  milestones: MilestonesReport;
}

/** The milestones of one execution (docs/events.md), each in the order it happens. */
export interface MilestonesReport {
  /** Those it went through: every milestone state it left, and the outcome once it ended. */
  expected: Milestone[];
  /** Those the default event bus received (once each, however often it was told). */
  events: Milestone[];
  /** Those the notification topic received. */
  notifications: Milestone[];
}

export interface SimulationReport {
  scenario: string;
  outcome: Outcome;
  expectedOutcome: Outcome | 'none';
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
    /**
     * Requests their instance refused or answered too late because it was over capacity (capacity.ts): the
     * fleet was too small for the load, counted apart from `failed` (downtime) and `appErrors` (the version).
     */
    capacityErrors: number;
    byVersion: Record<string, { served: number; appErrors: number }>;
  };
  /**
   * Each version's share of user traffic while each share of a gradual shift bakes and during the rollback
   * window, one entry each time an execution enters one of those loops, in order (traffic-steps.ts).
   */
  trafficSteps: TrafficStep[];
  /** What the groups' target tracking policies did (scaling-policies.ts), in order; `at` in virtual seconds. */
  scalingActions: ScalingAction[];
  stateTransitions: number;
  /** Largest state payload of any execution, in bytes (I7, docs/design.md#invariants). */
  maxPayloadBytes: number;
  lambdaInvocations: number;
  /** Messages the topic accepted: one outcome per execution that ran to an end, and the milestones. */
  notificationsDelivered: number;
  /** The events the default EventBridge bus accepted, in order: the milestones (docs/events.md). */
  events: PublishedEvent[];
  /** The orchestrator's calls (and operators'), not those of runs' account actions (`trigger`). */
  apiCalls: { total: number; byOperation: Record<string, number> };
  invariantViolations: InvariantViolation[];
  finalState: FinalState;
  /**
   * Once every execution ended, what keeps the account from the shape a deployment starts from (one group
   * serving, the other at zero: settled.ts); empty when settled. Not part of `passed`: a stop without
   * recovery, or a refusal scenario that breaks the account on purpose, leaves it unsettled by design.
   */
  unsettled: string[];
  timeline: TimelineEntry[];
  /** Every invocation of a lifecycle hook's function, with the event it was given (docs/hooks.md). */
  hookInvocations: HookInvocation[];
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
 * Did the run go as expected: every execution's outcome, no invariant violated, no failed user request, no
 * capacity error, and
 * every execution told the notification topic and the event bus of each milestone it went through, its
 * outcome included once it ran to an end?
 */
export function passed(report: SimulationReport): boolean {
  // Those that report an outcome: every execution that ran to an end, but a quiet recovery (milestonesOf).
  const ended = report.executions.filter((execution) =>
    execution.milestones.expected.includes('outcome'),
  ).length;
  return (
    // At least once: a duplicated report step (at-least-once invocation) may tell the topic twice.
    report.notificationsDelivered >= ended &&
    report.executions.every(
      (execution) =>
        !execution.notStarted &&
        execution.outcome === execution.expectedOutcome &&
        (execution.expectedStopAt === null || execution.stoppedAt === execution.expectedStopAt) &&
        announcedEveryMilestone(execution.milestones),
    ) &&
    report.invariantViolations.length === 0 &&
    report.requests.failed === 0 &&
    // Every scenario's fleet must carry its load: under the defaults none comes near capacity.
    report.requests.capacityErrors === 0
  );
}

/** Every milestone the execution went through reached both the event bus and the topic. */
export function announcedEveryMilestone(milestones: MilestonesReport): boolean {
  return milestones.expected.every(
    (milestone) => milestones.events.includes(milestone) && milestones.notifications.includes(milestone),
  );
}

/**
 * How one execution went, or why one a run's action should have started did not: `judged` gives the
 * outcome the run expects of its first execution (plan.ts), a trigger's `moreOutcomes` those of the others.
 */
export function executionReport(
  { run, position, record, message, startedBy }: RuleStart,
  read: {
    judged: (run: PlannedRun, record: ExecutionRecord) => Outcome;
    milestones: (record: ExecutionRecord) => MilestonesReport;
    /** What a recovery the state machine's status change started must end as (plan.ts recoveryOutcome). */
    recovery: (record: ExecutionRecord) => Outcome | 'none';
  },
): ExecutionReport {
  const later = run?.trigger ? run.moreOutcomes?.[position - 1] : undefined;
  const expected = (actual: ExecutionRecord | null): Outcome | 'none' =>
    !run
      ? actual
        ? read.recovery(actual)
        : 'none'
      : position === 0
        ? actual
          ? read.judged(run, actual)
          : run.expectedOutcome
        : (later ?? 'none');
  const expectedStopAt = position === 0 ? (run?.expectStoppedAt ?? null) : null;
  if (!record) {
    const none: Milestone[] = [];
    return {
      name: '',
      outcome: 'failed',
      expectedOutcome: expected(null),
      message: message ?? 'no execution started',
      notStarted: true,
      startedBy,
      stoppedAt: null,
      expectedStopAt,
      lambdaInvocations: 0,
      milestones: { expected: none, events: none, notifications: none },
    };
  }
  return {
    name: record.name,
    outcome: outcomeOf(record),
    expectedOutcome: expected(record),
    message: messageOf(record),
    startedBy,
    stoppedAt: record.status === 'ABORTED' ? (record.currentState ?? null) : null,
    expectedStopAt,
    lambdaInvocations: record.lambdaInvocations,
    milestones: read.milestones(record),
  };
}

/**
 * What an execution announced, read from what the account's event bus and topic accepted: events name the
 * execution in their detail, messages in their `Execution:` line and the milestone in their attributes.
 */
export function milestonesOf(
  record: ExecutionRecord,
  events: readonly PublishedEvent[],
  messages: readonly PublishedMessage[],
): MilestonesReport {
  const entered = new Set(record.timeline.map((entry) => entry.state));
  // A stopped execution stops as it enters a state: a milestone state it was stopped in announced nothing.
  const stoppedIn = record.status === 'ABORTED' ? record.currentState : undefined;
  const expected: Milestone[] = (Object.entries(MILESTONE_STATES) as [ProgressMilestone, string][])
    .filter(([, state]) => entered.has(state) && state !== stoppedIn)
    .map(([milestone]) => milestone);
  // Every ending reports its outcome, but a recovery that found nothing to recover (docs/recovery.md).
  const quiet = entered.has(RECOVERY_STATES.nothing);
  if (record.status !== 'ABORTED' && record.status !== 'RUNNING' && !quiet) expected.push('outcome');
  const inOrder = (found: Iterable<unknown>) =>
    MILESTONES.filter((milestone) => new Set(found).has(milestone));
  const execution = (detail: Record<string, unknown>) =>
    (detail.execution as { name?: unknown } | undefined)?.name;
  return {
    expected: inOrder(expected),
    events: inOrder(
      events
        .filter((event) => execution(event.detail) === record.name)
        .map((event) => event.detail.milestone),
    ),
    notifications: inOrder(
      messages
        .filter((message) => message.message.split('\n').includes(`Execution: ${record.name}`))
        .map((message) => message.attributes?.milestone),
    ),
  };
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
