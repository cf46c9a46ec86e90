// Over 250 lines: one simulated deployment run end to end (account, engine, traffic, invariant monitor, operator requests and stops, second by second), whose parts share the run's clock and records.
import { logger } from '../../lambdas/shared/logger';
import { KEY_STATES, type KeepRequest, type OperatorRequest } from '../../lambdas/shared/contract';
import { SimulatedAccount } from '../account/account';
import type { EventRule } from '../account/event-rules';
import { Random } from '../account/random';
import { HOOK_FUNCTION_PRINCIPAL, UserFunctions } from '../account/user-functions';
import { currentPrincipal, type Principal } from '../account/iam/principal';
import { findScenario, type Scenario } from '../scenarios/catalog';
import type { Outcome, SimulationOptions } from '../scenarios/options';
import { TrafficGenerator } from '../traffic/traffic-generator';
import { trafficSteps } from '../traffic/traffic-steps';
import { VirtualClock } from './clock';
import { loadHandlers, prepareHandlers } from './handlers';
import { InvariantMonitor, type InvariantViolation } from './invariants';
import { LocalStepFunctions, withStopIn, type ExecutionRecord } from './step-functions-service';
import type { SynthesizedWorkflow } from './synthesize';
import type { SynthesizedRule } from './synthesized-rules';
import { unsettledProblems } from './settled';
import { orchestratorCalls, requestOfOperator, RuleStarts, type RuleStart } from './triggers';
import { cachedWorkflow } from './workflow-cache';
import {
  batches,
  deploymentFor,
  environmentFor,
  faultsFor,
  inputFor,
  judged,
  recoveryOutcome,
  runsFor,
  trafficFor,
  type AlarmPeriods,
  type PlannedRun,
} from './plan';
import {
  finalStateOf,
  hasHealthyTarget,
  executionReport,
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
  /** Changes the synthesized EventBridge rules before the run (e.g. a rule's role without a grant). */
  rules?: (rules: readonly SynthesizedRule[]) => readonly EventRule[];
  /** Changes the state machine's synthesized role before the run (a lifecycle hook's grant left out). */
  stateMachineRole?: (principal: Principal) => Principal;
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
  const granted = hooks.grants
    ? { ...synthesized, principals: hooks.grants(synthesized.principals) }
    : synthesized;
  const role = granted.stateMachinePrincipal;
  const workflow =
    hooks.stateMachineRole && role
      ? { ...granted, stateMachinePrincipal: hooks.stateMachineRole(role) }
      : granted;
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
    profile: trafficFor(scenario, options),
    latencyBoundMs: options.latencyBoundMs,
    seed: options.seed,
  });
  // The account owner's actions during runs (DeploymentRun.ownerActions), each done once when due, and the
  // calls they made (not the orchestrator's).
  const ownerActions = runs.flatMap((run) => (run.ownerActions ?? []).map((action) => ({ run, action })));
  const ownerActionCalls: Record<string, number> = {};
  const violations: InvariantViolation[] = [];
  const initialAccount = account.snapshot();
  let monitor = new InvariantMonitor(initialAccount, environment.mainTargetGroup.arn);
  let currentState: string | null = null;
  // I2 is judged on the orchestrator's own calls: those its steps make as their roles (not the account
  // owner's, nor a team's lifecycle-hook function's).
  account.onApplied = (operation, input) => {
    const principal = currentPrincipal();
    if (principal && principal.name !== HOOK_FUNCTION_PRINCIPAL) {
      monitor.orchestratorChanged(operation, input, clock.elapsedSeconds(), currentState);
    }
  };
  // Operator requests due (a run's `operatorRequest`), made as the account owner at the next second.
  const requests: { state: string; group: string; request?: OperatorRequest | KeepRequest }[] = [];
  let dueRequest: { group: string; request?: OperatorRequest | KeepRequest } | null = null;
  let windowStartedAt: number | null = null;
  let usersArrived = false;
  // When the watched alarms were in ALARM, per batch of runs: what a run judged by the alarms must follow.
  const watchedAlarms = new Set(deployment.monitoring.alarmNames.map((name) => name.split(':alarm:').pop()));
  const insufficientDataAlarms = deployment.monitoring.insufficientDataIs === 'alarm';
  let alarmPeriods: AlarmPeriods = [];
  const alarmPeriodsOf = new Map<ExecutionRecord, AlarmPeriods>();
  const userFunctions = new UserFunctions(
    environment.hookFunctions ?? [],
    environment.region,
    environment.accountId,
  );
  const service = new LocalStepFunctions(workflow, handlers, {
    userFunctions,
    duplicateInvocations: options.duplicateInvocations ?? scenario.duplicateInvocations,
    stopAtState: stopAt,
    elapsedSeconds: () => clock.elapsedSeconds(),
    onStateEntered: (_execution, state) => {
      currentState = state;
      monitor.stateEntered(state);
      const request = requests.findIndex((pending) => pending.state === state);
      if (request >= 0) dueRequest = requests.splice(request, 1)[0];
      if (state === KEY_STATES.window) windowStartedAt = clock.elapsedSeconds();
      hooks.onStateEntered?.(state, clock.elapsedSeconds());
    },
  });
  const realFetch = globalThis.fetch;
  // Every execution, and every one a run's account action should have started and did not, in order.
  const executions: RuleStart[] = [];
  const records = () => executions.flatMap(({ record }) => (record ? [record] : []));
  // The batch's executions, which it waits for (one a rule starts between batches joins the next).
  let started: ExecutionRecord[] = [];
  const track = (start: RuleStart) => {
    executions.push(start);
    if (!start.record) return;
    started.push(start.record);
    alarmPeriodsOf.set(start.record, alarmPeriods);
  };
  const ruleStarts = new RuleStarts(account, service, workflow.stateMachineArn, () => clock.elapsedSeconds());
  ruleStarts.wire(hooks.rules ? hooks.rules(workflow.rules ?? []) : (workflow.rules ?? []));
  try {
    account.install();
    service.install(account);
    globalThis.fetch = account.fetch.bind(account) as typeof fetch;
    const actAsOwner = async () => {
      for (const pending of [...ownerActions]) {
        const record = executions.find((start) => start.run === pending.run && start.record)?.record;
        const entered = record?.timeline.find((entry) => entry.state === pending.action.state)?.at;
        if (entered === undefined || clock.elapsedSeconds() < entered + (pending.action.afterSeconds ?? 0))
          continue;
        ownerActions.splice(ownerActions.indexOf(pending), 1);
        const before = { ...account.apiCalls.byOperation };
        await pending.action.act(account);
        for (const [operation, count] of Object.entries(account.apiCalls.byOperation)) {
          const made = count - (before[operation] ?? 0);
          if (made > 0) ownerActionCalls[operation] = (ownerActionCalls[operation] ?? 0) + made;
        }
      }
    };
    const second = async () => {
      if (ownerActions.length > 0) await actAsOwner();
      if (dueRequest !== null) {
        await requestOfOperator(environment.region, dueRequest.group, dueRequest.request ?? 'rollback');
      }
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
      ruleStarts.collect().forEach(track);
    };
    for (const batch of batches(runs)) {
      started = [];
      const before = batch[0].before;
      if (before) {
        // Between deployments (an operator's commands): only I1 applies, and users keep coming.
        monitor = new InvariantMonitor(account.snapshot(), environment.mainTargetGroup.arn, 'between');
        currentState = BETWEEN_RUNS;
        await before({
          account,
          previous: records().map((record) => ({ outcome: outcomeOf(record), message: messageOf(record) })),
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
      // A run with an input starts its execution; one with a trigger does its action, and its executions are
      // those the rules start (`second` collects them).
      const start = async (run: PlannedRun) => {
        if (run.trigger) await ruleStarts.perform(run, run.trigger);
        else
          track({ run, position: 0, record: service.start(inputFor(run)), startedBy: { by: 'run-input' } });
        ruleStarts.collect().forEach(track);
      };
      const later = batch.filter((run) => run.startsWhen);
      for (const run of batch.filter((candidate) => !candidate.startsWhen)) await start(run);
      // A run that starts while the batch's first execution is under way: once it entered the state.
      const startDue = async () => {
        const entered = (state: string) => started[0]?.timeline.find((entry) => entry.state === state)?.at;
        for (const run of [...later]) {
          const at = run.startsWhen && entered(run.startsWhen.state);
          if (at === undefined || clock.elapsedSeconds() < at + (run.startsWhen?.afterSeconds ?? 0)) continue;
          later.splice(later.indexOf(run), 1);
          await start(run);
        }
      };
      const busy = () =>
        later.length > 0 || ruleStarts.awaiting || started.some((record) => record.status === 'RUNNING');
      // Settled, unless a rule started an execution meanwhile: that one is waited for too.
      do {
        while (busy()) {
          if (clock.elapsedSeconds() > MAX_SIMULATED_SECONDS) {
            // Cut short: without the rules, the ABORTED events of what is stopped start nothing more.
            ruleStarts.unwire();
            ruleStarts.collect().forEach(track);
            started.forEach((record) => record.abort());
            break;
          }
          await startDue();
          await second();
        }
        await Promise.all(started.map((record) => record.finished));
        for (let settled = 0; settled < SETTLE_SECONDS; settled++) await second();
      } while (busy() && clock.elapsedSeconds() <= MAX_SIMULATED_SECONDS);
      if (started.every((record) => UNCHANGING_OUTCOMES.includes(outcomeOf(record)))) {
        monitor.checkUnchanged(account.snapshot(), clock.elapsedSeconds());
      }
      violations.push(...monitor.violations);
    }
    const reports = executions.map((start) =>
      executionReport(start, {
        judged: (run, record) => judged(run, record, alarmPeriodsOf.get(record) ?? [], windowMinutes),
        milestones: (record) => milestonesOf(record, account.publishedEvents, account.publishedMessages),
        recovery: (record) =>
          recoveryOutcome(
            record,
            executions.flatMap(({ record: other }) => (other ? [other] : [])),
            scenario.environment?.firstDeployment ?? false,
          ),
      }),
    );
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
      trafficSteps: trafficSteps(
        records().flatMap((record) => record.timeline),
        traffic.servedPerSecond(),
        clock.elapsedSeconds(),
      ),
      stateTransitions: records().reduce((total, record) => total + record.stateTransitions, 0),
      maxPayloadBytes: Math.max(0, ...records().map((record) => record.maxPayloadBytes)),
      lambdaInvocations: service.totalLambdaInvocations,
      notificationsDelivered: account.publishedMessages.length,
      events: structuredClone([...account.publishedEvents]),
      apiCalls: orchestratorCalls(account.apiCalls, sumCalls(ruleStarts.ownerCalls, ownerActionCalls)),
      scalingActions: account.scalingPolicies.actions.map((action) => ({
        ...action,
        at: (action.at - SIMULATION_START) / 1000,
      })),
      invariantViolations: violations,
      finalState: finalStateOf(account.snapshot(), environment),
      unsettled: unsettledProblems(initialAccount, account.snapshot(), environment),
      timeline: records().flatMap((record) => record.timeline),
      hookInvocations: structuredClone(userFunctions.invocations),
    };
  } finally {
    Math.random = realRandom;
    globalThis.fetch = realFetch;
    service.uninstall();
    account.uninstall();
    clock.uninstall();
  }
}

function sumCalls(...counts: Partial<Record<string, number>>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const count of counts) {
    for (const [operation, made = 0] of Object.entries(count)) sum[operation] = (sum[operation] ?? 0) + made;
  }
  return sum;
}
