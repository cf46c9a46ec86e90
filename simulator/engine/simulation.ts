// Over 250 lines: one simulated deployment run end to end (account, engine, traffic, invariant monitor, operator requests and stops, second by second), whose parts share the run's clock and records.
import { AutoScalingClient, CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { logger } from '../../lambdas/shared/logger';
import { KEY_STATES, OPERATOR_REQUEST_TAG } from '../../lambdas/shared/contract';
import { SimulatedAccount } from '../account/account';
import { Random } from '../account/random';
import { findScenario, type DeploymentRun, type Scenario } from '../scenarios/catalog';
import type { Outcome, SimulationOptions } from '../scenarios/options';
import { TrafficGenerator } from '../traffic/traffic-generator';
import { VirtualClock } from './clock';
import { loadHandlers, prepareHandlers } from './handlers';
import { InvariantMonitor, type InvariantViolation } from './invariants';
import { LocalStepFunctions, withStopIn, type ExecutionRecord } from './step-functions-service';
import type { SynthesizedWorkflow } from './synthesize';
import { cachedWorkflow } from './workflow-cache';
import {
  batches,
  deploymentFor,
  environmentFor,
  faultsFor,
  inputFor,
  judged,
  runsFor,
  type AlarmPeriods,
} from './plan';
import {
  finalStateOf,
  hasHealthyTarget,
  messageOf,
  milestonesOf,
  outcomeOf,
  type ProgressView,
  type SimulationReport,
} from './report';

export { COPIED_AMI, FOURTH_AMI, OLD_AMI, THIRD_AMI, workflowFor } from './plan';
export * from './report';

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
    service.install(account);
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
      const started: { record: ExecutionRecord; run: DeploymentRun }[] = [];
      const start = (run: DeploymentRun) => {
        const record = service.start(inputFor(run));
        started.push({ record, run });
        executions.push({ record, run });
        alarmPeriodsOf.set(record, alarmPeriods);
      };
      const later = batch.filter((run) => run.startsWhen);
      batch.filter((run) => !run.startsWhen).forEach(start);
      // A run that starts while the batch's first execution is under way: once it entered the state.
      const startDue = () => {
        const entered = (state: string) =>
          started[0]?.record.timeline.find((entry) => entry.state === state)?.at;
        for (const run of [...later]) {
          const at = run.startsWhen && entered(run.startsWhen.state);
          if (at === undefined || clock.elapsedSeconds() < at + (run.startsWhen?.afterSeconds ?? 0)) continue;
          later.splice(later.indexOf(run), 1);
          start(run);
        }
      };
      while (later.length > 0 || started.some(({ record }) => record.status === 'RUNNING')) {
        if (clock.elapsedSeconds() > MAX_SIMULATED_SECONDS) {
          started.forEach(({ record }) => record.abort());
          break;
        }
        startDue();
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
      milestones: milestonesOf(record, account.publishedEvents, account.publishedMessages),
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
      events: structuredClone([...account.publishedEvents]),
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
