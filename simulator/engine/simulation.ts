import { logger } from '../../lambdas/shared/logger';
import { referenceDeployment } from '../../infra/app-builder';
import type { BlueGreenDeploymentProps } from '../../infra/blue-green-deployment';
import { FAILURE_ERRORS } from '../../state-machine/definition';
import { SimulatedAccount, type AccountSnapshot } from '../account/account';
import { DEFAULT_AMIS, defaultEnvironment, type EnvironmentDescription } from '../account/environment';
import { Random } from '../account/random';
import { findScenario, type DeploymentRun, type Scenario } from '../scenarios/catalog';
import type { Outcome, SimulationOptions } from '../scenarios/options';
import { TrafficGenerator } from '../traffic/traffic-generator';
import { VirtualClock } from './clock';
import { loadHandlers } from './handlers';
import { InvariantMonitor, type InvariantViolation } from './invariants';
import {
  LocalStepFunctions,
  type ExecutionRecord,
  type Json,
  type TimelineEntry,
} from './step-functions-service';
import { synthesizeWorkflow, type SynthesizedWorkflow } from './synthesize';

/** A third AMI of the application, for the second of two deployments in a row. */
export const THIRD_AMI = 'ami-0cccccccccccc0003';
const SIMULATION_START = Date.UTC(2026, 0, 5, 9, 0, 0);
/** A deployment that has not ended after this much virtual time is reported as failed (a hang). */
const MAX_SIMULATED_SECONDS = 2 * 24 * 3600;
/**
 * After the last execution ends, users keep coming and the account keeps moving (detached target groups
 * finish draining): zero downtime has to hold then too, and the final state is read once it has settled.
 */
const SETTLE_SECONDS = 120;

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
  /** Of which: synthesizing the CDK app in-process (once per configuration per process). */
  synthesisMs: number;
  requests: {
    total: number;
    failed: number;
    appErrors: number;
    byVersion: Record<string, { served: number; appErrors: number }>;
  };
  stateTransitions: number;
  /** Largest state payload of any execution, in bytes (DESIGN I7). */
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
}

const workflowCache = new Map<string, SynthesizedWorkflow>();

/** Runs a named scenario, with options, on the synthesized definition against a simulated account. */
export async function simulate(
  options: SimulationOptions,
  hooks: SimulationHooks = {},
): Promise<SimulationReport> {
  const realStart = performance.now();
  const scenario = findScenario(options.scenario);
  const environment = environmentFor(scenario, options);
  const windowMinutes = options.windowMinutes ?? 60;
  const deployment = deploymentFor(environment, windowMinutes, scenario);
  const synthesisStart = performance.now();
  const synthesized = cachedWorkflow(deployment, environment);
  const workflow = hooks.grants
    ? { ...synthesized, principals: hooks.grants(synthesized.principals) }
    : synthesized;
  const synthesisMs = Math.round(performance.now() - synthesisStart);
  const runs = runsFor(scenario, options);

  logger.setLogLevel('SILENT');
  const handlers = loadHandlers();
  const clock = new VirtualClock(SIMULATION_START);
  // The local engine draws retry jitter from Math.random: seed it so that a seed replays the same run.
  const realRandom = Math.random;
  const jitter = new Random(options.seed ^ 0x5eed);
  Math.random = () => jitter.next();
  const account = new SimulatedAccount(environment, { seed: options.seed, faults: scenario.faults });
  const traffic = new TrafficGenerator(account, {
    requestsPerSecond: options.requestsPerSecond ?? 10,
    seed: options.seed,
  });
  const violations: InvariantViolation[] = [];
  let monitor = new InvariantMonitor(account.snapshot(), environment.mainTargetGroup.arn);
  let currentState: string | null = null;
  let windowStartedAt: number | null = null;
  let usersArrived = false;
  const service = new LocalStepFunctions(workflow, handlers, {
    duplicateInvocations: scenario.duplicateInvocations,
    stopAtState: options.stopAt ?? scenario.stopAt,
    elapsedSeconds: () => clock.elapsedSeconds(),
    onStateEntered: (_execution, state) => {
      currentState = state;
      monitor.stateEntered(state);
      if (state === 'Monitor new version during rollback window') windowStartedAt = clock.elapsedSeconds();
      hooks.onStateEntered?.(state, clock.elapsedSeconds());
    },
  });
  const realFetch = globalThis.fetch;
  const executions: { record: ExecutionRecord; run: DeploymentRun }[] = [];
  try {
    account.install();
    service.install();
    globalThis.fetch = account.fetch.bind(account) as typeof fetch;
    for (const batch of batches(runs)) {
      monitor = new InvariantMonitor(account.snapshot(), environment.mainTargetGroup.arn);
      windowStartedAt = null;
      const started = batch.map((run) => ({ record: service.start(inputFor(run)), run }));
      executions.push(...started);
      const second = async () => {
        account.tick();
        // Users arrive once the application is up: before a first deployment there is nothing to serve,
        // and requests failing then would not be downtime.
        usersArrived ||= hasHealthyTarget(account.snapshot(), environment.mainTargetGroup.arn);
        if (usersArrived) traffic.tick();
        const snapshot = account.snapshot();
        monitor.observe(snapshot, currentState, clock.elapsedSeconds());
        const elapsed = clock.elapsedSeconds();
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
      while (started.some(({ record }) => record.status === 'RUNNING')) {
        if (clock.elapsedSeconds() > MAX_SIMULATED_SECONDS) started.forEach(({ record }) => record.abort());
        await second();
      }
      await Promise.all(started.map(({ record }) => record.finished));
      for (let settled = 0; settled < SETTLE_SECONDS; settled++) await second();
      if (started.every(({ record }) => ['rejected', 'skipped'].includes(outcomeOf(record)))) {
        monitor.checkUnchanged(account.snapshot(), clock.elapsedSeconds());
      }
      violations.push(...monitor.violations);
    }
    const reports = executions.map(({ record, run }) => ({
      name: record.name,
      outcome: outcomeOf(record),
      expectedOutcome: run.expectedOutcome,
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
  if (next && !environment.amis.some((ami) => ami.id === THIRD_AMI)) {
    environment.amis.push({ ...next, id: THIRD_AMI, name: `${next.name}-3`, behaviour: undefined });
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
  return { ...wired, ...scenario.deployment } as BlueGreenDeploymentProps;
}

function cachedWorkflow(
  deployment: BlueGreenDeploymentProps,
  environment: EnvironmentDescription,
): SynthesizedWorkflow {
  const key = JSON.stringify(deployment);
  let workflow = workflowCache.get(key);
  if (!workflow) {
    workflow = synthesizeWorkflow(deployment, environment.region, environment.accountId);
    workflowCache.set(key, workflow);
  }
  return workflow;
}

/** The scenario's runs, with the outcome the options make the first one expect. */
function runsFor(scenario: Scenario, options: SimulationOptions): DeploymentRun[] {
  const [first, ...rest] = scenario.runs;
  if (first.expectedOutcome !== 'succeeded') return [...scenario.runs];
  if (options.stopAt)
    return [{ ...first, expectedOutcome: 'failed', expectStoppedAt: options.stopAt }, ...rest];
  let expectedOutcome: Outcome = first.expectedOutcome;
  const window = options.windowMinutes ?? 60;
  if (options.failHealth || options.failSynthetic) expectedOutcome = 'aborted';
  else if (
    (options.alarmAt !== undefined || (options.errorRate ?? 0) > 0) &&
    (options.alarmAt ?? 0) < window
  ) {
    expectedOutcome = 'rolled-back';
  }
  return [{ ...first, expectedOutcome }, ...rest];
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
    '{foreign}': DEFAULT_AMIS.foreign,
  };
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(run.input)) input[key] = amis[value] ?? value;
  return input;
}

export function outcomeOf(record: ExecutionRecord): Outcome {
  if (record.status === 'SUCCEEDED') {
    return (record.output as { outcome?: string } | undefined)?.outcome === 'skipped'
      ? 'skipped'
      : 'succeeded';
  }
  switch (record.status === 'FAILED' ? record.error : undefined) {
    case FAILURE_ERRORS.rejected:
      return 'rejected';
    case FAILURE_ERRORS.aborted:
      return 'aborted';
    case FAILURE_ERRORS.rolledBack:
      return 'rolled-back';
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
