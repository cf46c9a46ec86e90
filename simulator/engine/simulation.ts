import { AutoScalingClient, CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { logger } from '../../lambdas/shared/logger';
import { referenceDeployment } from '../../infra/reference-deployment';
import type { BlueGreenDeploymentProps } from '../../infra/blue-green-deployment';
import { FAILURE_ERRORS, KEY_STATES, OPERATOR_REQUEST_TAG } from '../../lambdas/shared/contract';
import { SimulatedAccount, type AccountSnapshot, type FaultOptions } from '../account/account';
import { DEFAULT_AMIS, defaultEnvironment, type EnvironmentDescription } from '../account/environment';
import { Random } from '../account/random';
import { findScenario, type DeploymentRun, type RunInput, type Scenario } from '../scenarios/catalog';
import type { Outcome, SimulationOptions } from '../scenarios/options';
import { TrafficGenerator } from '../traffic/traffic-generator';
import { VirtualClock } from './clock';
import { loadHandlers, prepareHandlers } from './handlers';
import { InvariantMonitor, type InvariantViolation } from './invariants';
import {
  LocalStepFunctions,
  withStopIn,
  type ExecutionRecord,
  type Json,
  type TimelineEntry,
} from './step-functions-service';
import type { SynthesizedWorkflow } from './synthesize';
import { cachedWorkflow } from './workflow-cache';

/** A third AMI of the application, for the second of two deployments in a row. */
export const THIRD_AMI = 'ami-0cccccccccccc0003';
/** A fourth, for a deployment that must change what serves whichever of the others serves (`{fourth}`). */
export const FOURTH_AMI = 'ami-0dddddddddddd0004';
const SIMULATION_START = Date.UTC(2026, 0, 5, 9, 0, 0);
/** A deployment that has not ended after this much virtual time is reported as failed (a hang). */
const MAX_SIMULATED_SECONDS = 2 * 24 * 3600;
/**
 * After the last execution ends, users keep coming and the account keeps moving (detached target groups
 * finish draining): zero downtime has to hold then too, and the final state is read once it has settled.
 */
const SETTLE_SECONDS = 120;
/** Outcomes that promise an account left as it was found (I8). */
const UNCHANGING_OUTCOMES: readonly Outcome[] = ['rejected', 'skipped', 'already-serving'];

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

export interface ProgressView {
  at: number;
  state: string | null;
  account: AccountSnapshot;
  requests: SimulationReport['requests'];
  windowProgress: number | null;
}

export interface SimulationHooks {
  /** Changes the synthesized roles before the run (the least-privilege check removes one grant at a time). */
  grants?: (principals: SynthesizedWorkflow['principals']) => SynthesizedWorkflow['principals'];
  onStateEntered?: (state: string, at: number) => void;
  /** Called once per virtual second with the world as it is. */
  onSecond?: (view: ProgressView) => void;
  /** Runs this scenario instead of the named one (tests arranging accounts the catalog has no scenario for). */
  scenario?: Scenario;
}

/** The state reported (progress, invariant violations) while a run's `before` runs. */
export const BETWEEN_RUNS = '(between deployments)';

/** Runs a named scenario, with options, on the synthesized definition against a simulated account. */
export async function simulate(
  options: SimulationOptions,
  hooks: SimulationHooks = {},
): Promise<SimulationReport> {
  const realStart = performance.now();
  const scenario = hooks.scenario ?? findScenario(options.scenario);
  const environment = environmentFor(scenario, options);
  const windowMinutes = options.windowMinutes ?? 60;
  const deployment = deploymentFor(environment, windowMinutes, scenario);
  // On a cold start esbuild bundles the steps in its own process while the CDK app is synthesized here.
  const handlersBuilt = prepareHandlers();
  handlersBuilt.catch(() => undefined); // awaited below, unless synthesis throws first
  const synthesisStart = performance.now();
  const synthesized = cachedWorkflow(deployment, environment.region, environment.accountId);
  const workflow = hooks.grants
    ? { ...synthesized, principals: hooks.grants(synthesized.principals) }
    : synthesized;
  const synthesisMs = Math.round(performance.now() - synthesisStart);
  const runs = runsFor(scenario, options, windowMinutes);
  const stopAt = options.stopAt ?? scenario.stopAt;
  // A state no stop can land in (a Succeed or Fail state, a misspelt name) is refused before anything starts.
  if (stopAt !== undefined) withStopIn(workflow.asl, stopAt);

  logger.setLogLevel('SILENT');
  await handlersBuilt;
  const handlers = loadHandlers();
  const clock = new VirtualClock(SIMULATION_START);
  // The local engine draws retry jitter from Math.random: seed it so that a seed replays the same run.
  const realRandom = Math.random;
  const jitter = new Random(options.seed ^ 0x5eed);
  Math.random = () => jitter.next();
  const account = new SimulatedAccount(environment, {
    seed: options.seed,
    faults: faultsFor(scenario, options),
  });
  const traffic = new TrafficGenerator(account, {
    requestsPerSecond: options.requestsPerSecond ?? 10,
    seed: options.seed,
  });
  const violations: InvariantViolation[] = [];
  let monitor = new InvariantMonitor(account.snapshot(), environment.mainTargetGroup.arn);
  let currentState: string | null = null;
  // Operator requests due (a run's `operatorRequest`), made as the account owner at the next second.
  const requests: { state: string; group: string }[] = [];
  let dueRequest: string | null = null;
  let windowStartedAt: number | null = null;
  let usersArrived = false;
  // When the watched alarms were in ALARM, per batch of runs: what a run judged by the alarms must follow.
  const watchedAlarms = new Set(deployment.monitoring.alarmNames.map((name) => name.split(':alarm:').pop()));
  const insufficientDataAlarms = deployment.monitoring.insufficientDataIs === 'alarm';
  let alarmPeriods: AlarmPeriods = [];
  const alarmPeriodsOf = new Map<ExecutionRecord, AlarmPeriods>();
  const service = new LocalStepFunctions(workflow, handlers, {
    duplicateInvocations: options.duplicateInvocations ?? scenario.duplicateInvocations,
    stopAtState: stopAt,
    elapsedSeconds: () => clock.elapsedSeconds(),
    onStateEntered: (_execution, state) => {
      currentState = state;
      monitor.stateEntered(state);
      const request = requests.findIndex((pending) => pending.state === state);
      if (request >= 0) dueRequest = requests.splice(request, 1)[0].group;
      if (state === KEY_STATES.window) windowStartedAt = clock.elapsedSeconds();
      hooks.onStateEntered?.(state, clock.elapsedSeconds());
    },
  });
  const realFetch = globalThis.fetch;
  const executions: { record: ExecutionRecord; run: DeploymentRun }[] = [];
  try {
    account.install();
    service.install();
    globalThis.fetch = account.fetch.bind(account) as typeof fetch;
    const second = async () => {
      if (dueRequest !== null) await requestRollback(environment.region, dueRequest);
      dueRequest = null;
      account.tick();
      // Users arrive once the application is up: before a first deployment there is nothing to serve,
      // and requests failing then would not be downtime.
      usersArrived ||= hasHealthyTarget(account.snapshot(), environment.mainTargetGroup.arn);
      if (usersArrived) traffic.tick();
      const snapshot = account.snapshot();
      monitor.observe(snapshot, currentState, clock.elapsedSeconds());
      const elapsed = clock.elapsedSeconds();
      const alarming = snapshot.alarms.some(
        (alarm) =>
          watchedAlarms.has(alarm.name) &&
          (alarm.state === 'ALARM' || (insufficientDataAlarms && alarm.state === 'INSUFFICIENT_DATA')),
      );
      const last = alarmPeriods[alarmPeriods.length - 1];
      if (alarming && last?.[1] === elapsed) last[1] = elapsed + 1;
      else if (alarming) alarmPeriods.push([elapsed, elapsed + 1]);
      hooks.onSecond?.({
        at: elapsed,
        state: currentState,
        account: snapshot,
        requests: traffic.stats,
        windowProgress:
          windowStartedAt === null ? null : Math.min(1, (elapsed - windowStartedAt) / (windowMinutes * 60)),
      });
      await clock.advance(1000);
    };
    for (const batch of batches(runs)) {
      const before = batch[0].before;
      if (before) {
        // Between deployments (an operator's commands): only I1 applies, and users keep coming.
        monitor = new InvariantMonitor(account.snapshot(), environment.mainTargetGroup.arn, 'between');
        currentState = BETWEEN_RUNS;
        await before({
          account,
          previous: executions.map(({ record }) => ({
            outcome: outcomeOf(record),
            message: messageOf(record),
          })),
          advance: async (seconds) => {
            for (let elapsed = 0; elapsed < seconds; elapsed++) await second();
          },
        });
        violations.push(...monitor.violations);
      }
      monitor = new InvariantMonitor(account.snapshot(), environment.mainTargetGroup.arn);
      windowStartedAt = null;
      alarmPeriods = [];
      requests.push(...batch.flatMap((run) => (run.operatorRequest ? [run.operatorRequest] : [])));
      const started = batch.map((run) => ({ record: service.start(inputFor(run)), run }));
      executions.push(...started);
      for (const { record } of started) alarmPeriodsOf.set(record, alarmPeriods);
      while (started.some(({ record }) => record.status === 'RUNNING')) {
        if (clock.elapsedSeconds() > MAX_SIMULATED_SECONDS) started.forEach(({ record }) => record.abort());
        await second();
      }
      await Promise.all(started.map(({ record }) => record.finished));
      for (let settled = 0; settled < SETTLE_SECONDS; settled++) await second();
      if (started.every(({ record }) => UNCHANGING_OUTCOMES.includes(outcomeOf(record)))) {
        monitor.checkUnchanged(account.snapshot(), clock.elapsedSeconds());
      }
      violations.push(...monitor.violations);
    }
    const reports = executions.map(({ record, run }) => ({
      name: record.name,
      outcome: outcomeOf(record),
      expectedOutcome: judged(run, record, alarmPeriodsOf.get(record) ?? [], windowMinutes),
      message: messageOf(record),
      stoppedAt: record.status === 'ABORTED' ? (record.currentState ?? null) : null,
      expectedStopAt: run.expectStoppedAt ?? null,
    }));
    const primary = reports[0];
    return {
      scenario: scenario.name,
      outcome: primary.outcome,
      expectedOutcome: primary.expectedOutcome,
      message: primary.message,
      executions: reports,
      simulatedSeconds: Math.round(clock.elapsedSeconds()),
      realMs: Math.round(performance.now() - realStart),
      synthesisMs,
      requests: structuredClone(traffic.stats),
      stateTransitions: executions.reduce((total, { record }) => total + record.stateTransitions, 0),
      maxPayloadBytes: Math.max(...executions.map(({ record }) => record.maxPayloadBytes)),
      lambdaInvocations: service.totalLambdaInvocations,
      notificationsDelivered: account.publishedMessages.length,
      apiCalls: { total: account.apiCalls.total, byOperation: { ...account.apiCalls.byOperation } },
      invariantViolations: violations,
      finalState: finalStateOf(account.snapshot(), environment),
      timeline: executions.flatMap(({ record }) => record.timeline),
    };
  } finally {
    Math.random = realRandom;
    globalThis.fetch = realFetch;
    service.uninstall();
    account.uninstall();
    clock.uninstall();
  }
}

/** The synthesized workflow a simulation with these options runs: its states, the steps' roles. */
export function workflowFor(options: SimulationOptions): SynthesizedWorkflow {
  const scenario = findScenario(options.scenario);
  const environment = environmentFor(scenario, options);
  const deployment = deploymentFor(environment, options.windowMinutes ?? 60, scenario);
  return cachedWorkflow(deployment, environment.region, environment.accountId);
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

/** The scenario's injected faults, each replaced by the option of the same name when it is given. */
function faultsFor(scenario: Scenario, options: SimulationOptions): FaultOptions {
  const given = {
    throttleProbability: options.throttleProbability,
    transientErrorProbability: options.transientErrorProbability,
    lostResponseProbability: options.lostResponseProbability,
  };
  return {
    ...scenario.faults,
    ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
  };
}

function environmentFor(scenario: Scenario, options: SimulationOptions): EnvironmentDescription {
  const errs = options.alarmAt !== undefined || options.errorRate !== undefined;
  const environment = defaultEnvironment({
    ...scenario.environment,
    instances: options.instances ?? scenario.environment?.instances,
    bootSeconds: options.bootSeconds ?? scenario.environment?.bootSeconds,
    newVersion: {
      ...scenario.environment?.newVersion,
      ...(options.failHealth ? { failHealthChecks: true } : {}),
      ...(options.failSynthetic ? { failSyntheticChecks: true } : {}),
      ...(errs
        ? { errorRate: options.errorRate ?? 0.5, errorsFromMinuteAfterShift: options.alarmAt ?? 0 }
        : {}),
    },
  });
  const next = environment.amis.find((ami) => ami.id === DEFAULT_AMIS.next);
  for (const [id, suffix] of [
    [THIRD_AMI, 3],
    [FOURTH_AMI, 4],
  ] as const) {
    if (next && !environment.amis.some((ami) => ami.id === id)) {
      environment.amis.push({ ...next, id, name: `${next.name}-${suffix}`, behaviour: undefined });
    }
  }
  return environment;
}

/**
 * The orchestrator's configuration for the simulated account: the reference environment's wiring
 * (`referenceDeployment`, the same function `cdk synth` of the reference configuration uses), with the
 * settings a user would add to it.
 */
function deploymentFor(
  environment: EnvironmentDescription,
  windowMinutes: number,
  scenario: Scenario,
): BlueGreenDeploymentProps {
  const { blue, green } = environment.groups;
  const applicationName = blue.name.replace(/-blue$/, '');
  const wired = referenceDeployment(
    {
      applicationName,
      blueGroupName: blue.name,
      greenGroupName: green.name,
      mainTargetGroupArn: environment.mainTargetGroup.arn,
      syntheticTargetGroupArn: environment.syntheticTargetGroup.arn,
      blueLaunchTemplateId: blue.launchTemplateId,
      greenLaunchTemplateId: green.launchTemplateId,
      instanceRoleArn: environment.instanceProfiles?.[0]?.roleArn,
      loadBalancerUrl: `http://${environment.loadBalancer.dnsName}`,
      alarmNames: environment.alarms.map((alarm) => alarm.name),
    },
    {
      amiSelector: { tag: { key: 'Application', value: applicationName } },
      syntheticChecks: {
        endpoint: `http://${environment.loadBalancer.dnsName}`,
        header: environment.syntheticHeader,
        checks: [{ path: '/health' }, { path: '/', bodyIncludes: '"version"' }],
        repetitions: 3,
        versionHeader: 'X-App-Version',
      },
      monitoring: {
        alarmNames: environment.alarms.map((alarm) => alarm.name),
        rollbackWindowMinutes: windowMinutes,
      },
      initialCapacity: { min: 1, desired: Math.max(blue.desired, 3), max: Math.max(blue.max, 3) },
    },
  );
  const configured = wired as BlueGreenDeploymentProps;
  return { ...configured, ...scenario.deployment?.(configured) };
}

/** A run as planned: its expected outcome, and whether the watched alarms settle it (see `judged`). */
interface PlannedRun extends DeploymentRun {
  /**
   * The new version errs and nothing else decides the run: it must roll back exactly when a watched alarm is
   * in ALARM while the rollback window is open, and succeed otherwise. `expectedOutcome` is then the estimate
   * below until the run has shown when the alarm fired and when the window was open.
   */
  readonly judgedByAlarms?: boolean;
  /** What a rollback ends as: a first deployment has no old version to return to and is kept serving. */
  readonly rollbackOutcome?: Outcome;
}

/**
 * The scenario's runs, with the outcome the options make the first one expect, whatever the scenario expects
 * without them (a stop or a version that never passes its checks overrides a rollback as much as a success).
 *
 * When the new version errs from minute M after the traffic shift, whether the rollback window catches it is
 * a matter of seconds, not of comparing M with the window W: the shift is the version's first request served
 * through the main target group, the window opens only once the old fleet is in Standby (some 30 s later,
 * 5 s on a first deployment), and the 5xx alarm turns ALARM at the end of the first one-minute period with 5
 * errors (period × datapointsToAlarm after the errors begin: up to a minute, longer when errors are sparse).
 * So M = W rolls back when the alarm fires within those seconds and succeeds otherwise, M < W can fail to
 * roll back when errors are too sparse to reach the alarm's threshold, and a window end that the last check
 * passes late lets M = W + 1 roll back. The estimate here (M ≤ W) is refined by the run itself (`judged`).
 */
function runsFor(scenario: Scenario, options: SimulationOptions, windowMinutes: number): PlannedRun[] {
  const [first, ...rest] = scenario.runs;
  if (options.stopAt)
    return [{ ...first, expectedOutcome: 'failed', expectStoppedAt: options.stopAt }, ...rest];
  // Only a deployment that reaches the traffic shift is changed by how the new version behaves, and one an
  // operator stops ends as the operator asked whatever the version does.
  if (first.operatorRequest || !['succeeded', 'rolled-back', 'kept-serving'].includes(first.expectedOutcome))
    return [...scenario.runs];
  if (options.failHealth || options.failSynthetic) return [{ ...first, expectedOutcome: 'aborted' }, ...rest];
  const optionErrors = options.alarmAt !== undefined || options.errorRate !== undefined;
  const behaviour = scenario.environment?.newVersion;
  const errorRate = optionErrors ? (options.errorRate ?? 0.5) : (behaviour?.errorRate ?? 0);
  if (errorRate <= 0) return [{ ...first, expectedOutcome: 'succeeded' }, ...rest];
  const errsFrom = optionErrors ? (options.alarmAt ?? 0) : (behaviour?.errorsFromMinuteAfterShift ?? 0);
  const rollbackOutcome: Outcome = scenario.environment?.firstDeployment ? 'kept-serving' : 'rolled-back';
  const expectedOutcome: Outcome = errsFrom <= windowMinutes ? rollbackOutcome : 'succeeded';
  return [{ ...first, expectedOutcome, judgedByAlarms: true, rollbackOutcome }, ...rest];
}

/** The watched alarms' ALARM periods of one batch of runs, in virtual seconds [from, to). */
type AlarmPeriods = [number, number][];

/**
 * The outcome a run judged by the alarms must have: rolled back when a watched alarm was in ALARM at any
 * moment the rollback window was open, succeeded when none was. The window opens as its first check starts
 * and stays open for its length, or until its last check when that comes later (a check that outlasts the
 * interval pushes the last one past the window's end, and the last check does look at the alarms).
 */
function judged(
  run: PlannedRun,
  record: ExecutionRecord,
  alarms: AlarmPeriods,
  windowMinutes: number,
): Outcome {
  const window = KEY_STATES.window;
  const opened = record.timeline.find((entry) => entry.state === window)?.at;
  if (!run.judgedByAlarms || opened === undefined) return run.expectedOutcome;
  const checks = record.timeline.filter((entry) => entry.state === `${window}: check`);
  const closed = Math.max(opened + windowMinutes * 60, checks[checks.length - 1]?.at ?? opened);
  // A check at time t sees the alarms as they were just before t (the account moves on once per second).
  const firing = alarms.some(([from, to]) => from < closed && to >= opened);
  return firing ? (run.rollbackOutcome ?? 'rolled-back') : 'succeeded';
}

/** What `npm run ops -- rollback` does, on any group (the command itself refuses outside the window). */
async function requestRollback(region: string, group: string): Promise<void> {
  await new AutoScalingClient({ region }).send(
    new CreateOrUpdateTagsCommand({
      Tags: [
        {
          ResourceId: group,
          ResourceType: 'auto-scaling-group',
          Key: OPERATOR_REQUEST_TAG,
          Value: 'rollback',
          PropagateAtLaunch: false,
        },
      ],
    }),
  );
}

function batches(runs: DeploymentRun[]): DeploymentRun[][] {
  const result: DeploymentRun[][] = [];
  for (const run of runs) {
    if (run.concurrentWithPrevious && result.length > 0) result[result.length - 1].push(run);
    else result.push([run]);
  }
  return result;
}

function inputFor(run: DeploymentRun): Json {
  const amis: Record<string, string> = {
    '{next}': DEFAULT_AMIS.next,
    '{third}': THIRD_AMI,
    '{fourth}': FOURTH_AMI,
    '{foreign}': DEFAULT_AMIS.foreign,
    '{current}': DEFAULT_AMIS.current,
  };
  const resolve = (value: RunInput): Json => {
    if (typeof value === 'string') return amis[value] ?? value;
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item)]));
  };
  return resolve(run.input);
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

function messageOf(record: ExecutionRecord): string {
  if (record.status === 'SUCCEEDED')
    return (record.output as { message?: string } | undefined)?.message ?? 'succeeded';
  if (record.status === 'ABORTED')
    return `Execution stopped in state "${record.currentState}"; nothing was cleaned up.`;
  return record.cause ?? record.error ?? record.status;
}

function hasHealthyTarget(snapshot: AccountSnapshot, targetGroupArn: string): boolean {
  return (snapshot.targetGroups[targetGroupArn]?.targets ?? []).some((target) => target.state === 'healthy');
}

function finalStateOf(snapshot: AccountSnapshot, environment: EnvironmentDescription): FinalState {
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
