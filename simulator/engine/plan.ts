import type { ConfiguredProps } from '../../infra/props';
import { referenceDeployment } from '../../infra/reference-deployment';
import {
  CLEAN_FAILURE_ERRORS,
  isCleanEndingReport,
  KEEP_STATES,
  KEY_STATES,
  SHIFT_STATES,
  MILESTONE_STATES,
} from '../../lambdas/shared/contract';
import type { FaultOptions } from '../account/account';
import { DEFAULT_AMIS, defaultEnvironment, type EnvironmentDescription } from '../account/environment';
import { findScenario, type DeploymentRun, type RunInput, type Scenario } from '../scenarios/catalog';
import type { Outcome, SimulationOptions } from '../scenarios/options';
import type { TrafficProfile } from '../traffic/profiles';
import type { ExecutionRecord, Json } from './step-functions-service';
import type { SynthesizedWorkflow } from './synthesize';
import { cachedWorkflow } from './workflow-cache';

/** What a simulation runs: the scenario's account, deployment and runs, with the options applied. */

/** A third AMI of the application, for the second of two deployments in a row. */
export const THIRD_AMI = 'ami-0cccccccccccc0003';
/** A fourth, for a deployment that must change what serves whichever of the others serves (`{fourth}`). */
export const FOURTH_AMI = 'ami-0dddddddddddd0004';

/**
 * Older releases that become available again (docs/design.md#release-order): a copy of the serving AMI
 * made after the new one (CopyImage copies the tags and records the source), and an AMI of an older
 * release, re-enabled (EnableImage keeps its creation date).
 */
export const COPIED_AMI = 'ami-0eeeeeeeeeeee0005';
export const OLD_AMI = 'ami-0bbbbbbbbbbbb0006';

/** The synthesized workflow a simulation with these options runs: its states, the steps' roles. */
export function workflowFor(options: SimulationOptions): SynthesizedWorkflow {
  const scenario = findScenario(options.scenario);
  const environment = environmentFor(scenario, options);
  const deployment = deploymentFor(environment, options.windowMinutes ?? 60, scenario);
  return cachedWorkflow(deployment, environment.region, environment.accountId);
}

/** The scenario's injected faults, each replaced by the option of the same name when it is given. */
export function faultsFor(scenario: Scenario, options: SimulationOptions): FaultOptions {
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

export function environmentFor(scenario: Scenario, options: SimulationOptions): EnvironmentDescription {
  const errs = options.alarmAt !== undefined || options.errorRate !== undefined;
  const environment = defaultEnvironment({
    ...scenario.environment,
    instances: options.instances ?? scenario.environment?.instances,
    bootSeconds: options.bootSeconds ?? scenario.environment?.bootSeconds,
    alarmEvaluationSecond: options.alarmEvaluationSecond ?? scenario.environment?.alarmEvaluationSecond,
    capacity:
      options.capacityPerInstance === undefined
        ? scenario.environment?.capacity
        : { ...scenario.environment?.capacity, capacityPerInstance: options.capacityPerInstance },
    scalingPolicy: options.scalingPolicy ?? scenario.environment?.scalingPolicy,
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
  // Later releases than `next`, a month apart, each with its version (the queue keeps the newest).
  for (const [id, version, month] of [
    [THIRD_AMI, '1.2.0', '03'],
    [FOURTH_AMI, '1.3.0', '04'],
  ] as const) {
    if (next && !environment.amis.some((ami) => ami.id === id)) {
      environment.amis.push({
        ...next,
        id,
        name: next.name.replace(/-[\d.]+$/, `-${version}`),
        tags: { ...next.tags, Version: version },
        creationDate: `2025-${month}-01T00:00:00.000Z`,
        behaviour: undefined,
        tagsAfterSeconds: undefined,
      });
    }
  }
  const current = environment.amis.find((ami) => ami.id === DEFAULT_AMIS.current);
  if (current && !environment.amis.some((ami) => ami.id === COPIED_AMI)) {
    environment.amis.push(
      {
        ...current,
        id: COPIED_AMI,
        name: `${current.name}-copy`,
        creationDate: '2025-03-01T00:00:00.000Z',
        sourceImageId: current.id,
      },
      {
        ...current,
        id: OLD_AMI,
        name: current.name.replace(/-[\d.]+$/, '-0.9.0'),
        tags: { ...current.tags, Version: '0.9.0' },
        creationDate: '2024-12-01T00:00:00.000Z',
      },
    );
  }
  if (scenario.imageBuilderImages) {
    environment.imageBuilderImages = scenario.imageBuilderImages.map((image) => ({
      ...image,
      amiId: amiOf(image.amiId),
    }));
  }
  // What a run's action makes available is not available before: a build it publishes (alone or from Image
  // Builder) is pending, an AMI it enables is disabled (so that the AMI's only event is the action's).
  for (const run of scenario.runs) {
    const trigger = run.trigger;
    if (!trigger) continue;
    const built =
      'publish' in trigger
        ? trigger.publish
        : 'imageBuilderImage' in trigger
          ? environment.imageBuilderImages?.find((image) => image.arn === trigger.imageBuilderImage)?.amiId
          : undefined;
    const enabled = 'enableImage' in trigger ? trigger.enableImage : undefined;
    for (const [ref, state] of [
      [built, 'pending'],
      [enabled, 'disabled'],
    ] as const) {
      const ami = ref === undefined ? undefined : environment.amis.find((image) => image.id === amiOf(ref));
      if (ami) ami.state = state;
    }
  }
  return environment;
}

/**
 * The orchestrator's configuration for the simulated account: the reference environment's wiring
 * (`referenceDeployment`, the same function `cdk synth` of the reference configuration uses), with the
 * settings a user would add to it.
 */
export function deploymentFor(
  environment: EnvironmentDescription,
  windowMinutes: number,
  scenario: Scenario,
): ConfiguredProps {
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
  const configured = wired as ConfiguredProps;
  return { ...configured, ...scenario.deployment?.(configured) };
}

/** A run as planned: its expected outcome, and whether the watched alarms settle it (see `judged`). */
export type PlannedRun = DeploymentRun & {
  /**
   * The new version errs and nothing else decides the run: it must roll back exactly when a watched alarm is
   * in ALARM while the rollback window is open, and succeed otherwise. `expectedOutcome` is then the estimate
   * below until the run has shown when the alarm fired and when the window was open.
   */
  readonly judgedByAlarms?: boolean;
  /** What a rollback ends as: a first deployment has no old version to return to and is kept serving. */
  readonly rollbackOutcome?: Outcome;
};

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
export function runsFor(scenario: Scenario, options: SimulationOptions, windowMinutes: number): PlannedRun[] {
  const [first, ...rest] = scenario.runs;
  if (options.stopAt)
    return [{ ...first, expectedOutcome: 'failed', expectStoppedAt: options.stopAt }, ...rest];
  // Only a deployment that reaches the traffic shift is changed by how the new version behaves, and one an
  // operator stops ends as the operator asked whatever the version does.
  if (
    first.operatorRequest ||
    first.rolledBackByHook ||
    !['succeeded', 'rolled-back', 'kept-serving'].includes(first.expectedOutcome)
  )
    return [...scenario.runs];
  if (options.failHealth || options.failSynthetic) return [{ ...first, expectedOutcome: 'aborted' }, ...rest];
  const optionErrors = options.alarmAt !== undefined || options.errorRate !== undefined;
  const behaviour = scenario.environment?.newVersion;
  const errorRate = optionErrors ? (options.errorRate ?? 0.5) : (behaviour?.errorRate ?? 0);
  // A version that does not err passes every alarm; what only a comparison with the old version catches
  // (a slower version: docs/design.md#comparison) the scenario itself expects.
  if (errorRate <= 0) {
    return [{ ...first, expectedOutcome: optionErrors ? 'succeeded' : first.expectedOutcome }, ...rest];
  }
  const errsFrom = optionErrors ? (options.alarmAt ?? 0) : (behaviour?.errorsFromMinuteAfterShift ?? 0);
  const rollbackOutcome: Outcome = scenario.environment?.firstDeployment ? 'kept-serving' : 'rolled-back';
  const expectedOutcome: Outcome = errsFrom <= windowMinutes ? rollbackOutcome : 'succeeded';
  return [{ ...first, expectedOutcome, judgedByAlarms: true, rollbackOutcome }, ...rest];
}

/** The watched alarms' ALARM periods of one batch of runs, in virtual seconds [from, to). */
export type AlarmPeriods = [number, number][];

/**
 * The outcome a run judged by the alarms must have: rolled back when a watched alarm was in ALARM at any
 * moment the rollback window was open, succeeded when none was. The window opens as its first check starts
 * and stays open for its length, or until its last check when that comes later (a check that outlasts the
 * interval pushes the last one past the window's end, and the last check does look at the alarms).
 */
export function judged(
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

export function batches<Run extends DeploymentRun>(runs: readonly Run[]): Run[][] {
  const result: Run[][] = [];
  for (const run of runs) {
    if (run.concurrentWithPrevious && result.length > 0) result[result.length - 1].push(run);
    else result.push([run]);
  }
  return result;
}

const AMIS: Readonly<Record<string, string>> = {
  '{next}': DEFAULT_AMIS.next,
  '{third}': THIRD_AMI,
  '{fourth}': FOURTH_AMI,
  '{foreign}': DEFAULT_AMIS.foreign,
  '{current}': DEFAULT_AMIS.current,
  '{copy}': COPIED_AMI,
  '{old}': OLD_AMI,
};

/** The AMI id a run names (`{next}`, `{old}`, …), or the string itself. */
export function amiOf(ref: string): string {
  return AMIS[ref] ?? ref;
}

/** The users' traffic: the option's profile, a constant `--rps`, the scenario's, or 10 a second. */
export function trafficFor(scenario: Scenario, options: SimulationOptions): TrafficProfile {
  if (options.trafficProfile) return options.trafficProfile;
  if (options.requestsPerSecond !== undefined)
    return { kind: 'constant', requestsPerSecond: options.requestsPerSecond };
  return scenario.traffic ?? { kind: 'constant', requestsPerSecond: DEFAULT_REQUESTS_PER_SECOND };
}

const DEFAULT_REQUESTS_PER_SECOND = 10;

/** The execution input of a run that starts with one. */
export function inputFor(run: DeploymentRun): Json {
  if (run.input === undefined) throw new Error('a run started by an account action has no input');
  const resolve = (value: RunInput): Json => {
    if (typeof value === 'string') return amiOf(value);
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item)]));
  };
  return resolve(run.input);
}

/**
 * The outcome docs/recovery.md promises for a recovery the state machine's status change started: the
 * clean-up the execution it recovers needed, by where that one was (its timeline), or nothing to recover
 * (skipped). 'none' for an execution that is not a recovery.
 */
export function recoveryOutcome(
  record: ExecutionRecord,
  records: readonly ExecutionRecord[],
  firstDeployment: boolean,
): Outcome | 'none' {
  const input = JSON.parse(record.input) as { recoverFrom?: unknown; trigger?: unknown } | null;
  if (input?.trigger !== 'recovery') return 'none';
  const recovered = records.find((candidate) => candidate.arn === input.recoverFrom);
  if (!recovered || recovered.status === 'SUCCEEDED' || recovered.status === 'RUNNING') return 'skipped';
  if (recovered.status === 'FAILED' && CLEAN_FAILURE_ERRORS.includes(recovered.error ?? '')) return 'skipped';
  const entered = new Set(recovered.timeline.map((entry) => entry.state));
  const last = recovered.timeline[recovered.timeline.length - 1]?.state ?? '';
  if (isCleanEndingReport(last)) return 'skipped';
  const rolledBack = firstDeployment ? 'kept-serving' : 'rolled-back';
  if (entered.has(KEY_STATES.finish)) return 'succeeded';
  if (entered.has(KEY_STATES.rollback)) return rolledBack;
  // The window passed (announced, or the old fleet kept for undo): the new version is the proven one.
  if (entered.has(MILESTONE_STATES['window-passed']) || entered.has(KEEP_STATES.oldFleet)) return 'succeeded';
  if (entered.has(KEY_STATES.shiftStarts) || entered.has(SHIFT_STATES.step)) return rolledBack;
  if (entered.has(KEY_STATES.abort) || entered.has(KEY_STATES.prepare)) return 'aborted';
  return 'skipped';
}
