import { parseArgs } from 'node:util';
import { findScenario, SCENARIOS } from '../simulator/scenarios/catalog';
import type { SimulationOptions } from '../simulator/scenarios/options';
import type { SimulationReport } from '../simulator/engine/simulation';
import type { ScalingPolicyDescription } from '../simulator/account/scaling-policies';
import type { TrafficProfile } from '../simulator/traffic/profiles';
import { hideSdkNodeVersionNotice } from './node-warnings';

const USAGE = `Usage: npm run simulate -- [options]

Runs a blue/green deployment of the real, synthesized state machine against a simulated AWS account
with user traffic, in virtual time (a one-hour rollback window takes well under a second).

Options (all combinable):
  --scenario NAME        ${SCENARIOS.map((s) => s.name).join(', ')} (default: happy)
  --seed N               random seed; a seed replays the same run (default: 1)
  --instances N          size of the active fleet (default: 3)
  --window-minutes M     rollback window (default: 60)
  --boot-seconds S       instance boot time (default: 60)
  --alarm-second S       second of each minute CloudWatch evaluates the alarms at (0-59, default: 0)
  --fail-health          the new version never passes health checks
  --fail-synthetic       the new version fails the synthetic checks
  --alarm-at MINUTES     the new version errs from this minute after the traffic shift
  --error-rate P         fraction of requests the erring version fails (default 0.5)
  --stop-at STATE        stop the execution when it enters STATE (like StopExecution)
  --rps N                user requests per virtual second (default: 10)
  --traffic PROFILE      step:FROM:TO:AT_SECONDS, or daily:TROUGH:PEAK[:PHASE[:PERIOD_SECONDS]]
                         (PHASE 0-1: 0 at the trough, 0.25 on the rising edge; default period a day)
  --capacity N           requests per second one instance serves before it queues (default: 50)
  --latency-bound MS     a request over capacity slower than this is a capacity error (default: 1000)
  --scaling-policy SPEC  the same target tracking policy on both groups: requests:TARGET (requests per
                         target per minute) or cpu:PERCENT, with :WARMUP_SECONDS (default 300)
  --throttle P           probability that an AWS call attempt is throttled (replaces the scenario's)
  --transient P          probability that an attempt fails with a 5xx before taking effect
  --lost-answers P       probability that an attempt takes effect and its answer is lost (5xx or timeout)
  --duplicate-invocations  every Lambda runs twice with the same input
  --json                 print one JSON report on standard output (progress goes to standard error)
  --quiet                no live progress
  --list                 list the scenarios
  --help

Exit code 0 exactly when every execution ends as expected, no invariant is violated, no user
request failed and none was refused or too slow because its instance was over capacity.`;

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new UsageError(`--${name} takes a number, got "${value}"`);
  return parsed;
}

class UsageError extends Error {}

function probability(value: string | undefined, name: string): number | undefined {
  const parsed = number(value, name);
  if (parsed !== undefined && (parsed < 0 || parsed > 1))
    throw new UsageError(`--${name} takes a probability from 0 to 1`);
  return parsed;
}

function positive(value: string | undefined, name: string): number | undefined {
  const parsed = number(value, name);
  if (parsed !== undefined && !(parsed > 0)) throw new UsageError(`--${name} takes a number above 0`);
  return parsed;
}

/** `step:FROM:TO:AT` or `daily:TROUGH:PEAK[:PHASE[:PERIOD]]` (simulator/traffic/profiles.ts). */
function trafficProfile(value: string | undefined): TrafficProfile | undefined {
  if (value === undefined) return undefined;
  const [kind, ...rest] = value.split(':');
  const figures = rest.map((part) => number(part, 'traffic') ?? NaN);
  const usage = new UsageError(
    `--traffic takes step:FROM:TO:AT_SECONDS or daily:TROUGH:PEAK[:PHASE[:PERIOD_SECONDS]], got "${value}"`,
  );
  if (figures.some((figure) => !(figure >= 0))) throw usage;
  const [a = NaN, b = NaN, c, d] = figures;
  if (kind === 'step' && figures.length === 3) return { kind: 'step', from: a, to: b, atSeconds: c ?? 0 };
  if (
    kind === 'daily' &&
    figures.length >= 2 &&
    figures.length <= 4 &&
    (c === undefined || c <= 1) &&
    d !== 0
  )
    return { kind: 'daily', trough: a, peak: b, phase: c, periodSeconds: d };
  throw usage;
}

/** `requests:TARGET[:WARMUP]` or `cpu:PERCENT[:WARMUP]`. */
function scalingPolicy(value: string | undefined): ScalingPolicyDescription | undefined {
  if (value === undefined) return undefined;
  const [metric, target, warmup] = value.split(':');
  const metrics = { requests: 'ALBRequestCountPerTarget', cpu: 'ASGAverageCPUUtilization' } as const;
  const targetValue = Number(target);
  const warmupSeconds = warmup === undefined ? undefined : Number(warmup);
  if (
    (metric !== 'requests' && metric !== 'cpu') ||
    !(targetValue > 0) ||
    (warmupSeconds !== undefined && !(warmupSeconds >= 0))
  )
    throw new UsageError(
      `--scaling-policy takes requests:TARGET[:WARMUP] or cpu:PERCENT[:WARMUP], got "${value}"`,
    );
  return {
    name: `target-tracking-${metric}`,
    metric: metrics[metric],
    targetValue,
    estimatedInstanceWarmupSeconds: warmupSeconds,
  };
}

function parseOptions(
  argv: string[],
): { options: SimulationOptions; json: boolean; quiet: boolean } | 'help' | 'list' {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'happy' },
      seed: { type: 'string', default: '1' },
      instances: { type: 'string' },
      'window-minutes': { type: 'string' },
      'boot-seconds': { type: 'string' },
      'alarm-second': { type: 'string' },
      'fail-health': { type: 'boolean' },
      'fail-synthetic': { type: 'boolean' },
      'alarm-at': { type: 'string' },
      'error-rate': { type: 'string' },
      'stop-at': { type: 'string' },
      rps: { type: 'string' },
      traffic: { type: 'string' },
      capacity: { type: 'string' },
      'latency-bound': { type: 'string' },
      'scaling-policy': { type: 'string' },
      throttle: { type: 'string' },
      transient: { type: 'string' },
      'lost-answers': { type: 'string' },
      'duplicate-invocations': { type: 'boolean' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.list) return 'list';
  findScenario(values.scenario); // an unknown name is a usage error, told before the engine loads
  const errorRate = number(values['error-rate'], 'error-rate');
  if (errorRate !== undefined && (errorRate < 0 || errorRate > 1))
    throw new UsageError('--error-rate takes a fraction from 0 to 1');
  const alarmSecond = number(values['alarm-second'], 'alarm-second');
  if (alarmSecond !== undefined && !(Number.isInteger(alarmSecond) && alarmSecond >= 0 && alarmSecond <= 59))
    throw new UsageError('--alarm-second takes a whole second of the minute, from 0 to 59');
  return {
    json: values.json,
    quiet: values.quiet,
    options: {
      scenario: values.scenario,
      seed: number(values.seed, 'seed') ?? 1,
      instances: number(values.instances, 'instances'),
      windowMinutes: number(values['window-minutes'], 'window-minutes'),
      bootSeconds: number(values['boot-seconds'], 'boot-seconds'),
      alarmEvaluationSecond: alarmSecond,
      failHealth: values['fail-health'],
      failSynthetic: values['fail-synthetic'],
      alarmAt: number(values['alarm-at'], 'alarm-at'),
      errorRate,
      stopAt: values['stop-at'],
      requestsPerSecond: number(values.rps, 'rps'),
      trafficProfile: trafficProfile(values.traffic),
      capacityPerInstance: positive(values.capacity, 'capacity'),
      latencyBoundMs: positive(values['latency-bound'], 'latency-bound'),
      scalingPolicy: scalingPolicy(values['scaling-policy']),
      throttleProbability: probability(values.throttle, 'throttle'),
      transientErrorProbability: probability(values.transient, 'transient'),
      lostResponseProbability: probability(values['lost-answers'], 'lost-answers'),
      duplicateInvocations: values['duplicate-invocations'],
    },
  };
}

/** Where the command writes: the report on `out`, progress and errors on `err`. */
export interface SimulateStreams {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** `npm run simulate -- …argv`: its exit code (0 passed, 1 not as expected, 2 usage or simulation error). */
export async function runSimulate(argv: string[], { out, err }: SimulateStreams): Promise<number> {
  hideSdkNodeVersionNotice();
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    err.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed === 'help') {
    out.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed === 'list') {
    const width = Math.max(...SCENARIOS.map((scenario) => scenario.name.length));
    for (const scenario of SCENARIOS) out.write(`${scenario.name.padEnd(width)}  ${scenario.description}\n`);
    return 0;
  }
  const { options, json, quiet } = parsed;
  // Loaded only now (the engine, the AWS SDK, the local Step Functions): --help, --list and a usage error
  // answer at once.
  const { passed, simulate } = await import('../simulator/engine/simulation');
  const { LiveDisplay, summary } = await import('./display');
  const display = new LiveDisplay(err, options, quiet);
  let report: SimulationReport;
  try {
    report = await simulate(options, display.hooks());
  } catch (error) {
    err.write(`simulation failed: ${(error as Error).message}\n`);
    return 2;
  }
  if (json) out.write(`${JSON.stringify(report, null, 2)}\n`);
  else out.write(summary(report));
  return passed(report) ? 0 : 1;
}
