import { KEY_STATES } from '../lambdas/shared/contract';
import { REGISTRATION_SECONDS } from '../simulator/account/target-groups';
import { referenceEnvironment } from '../infra/environment/settings';
import { passed, simulate } from '../simulator/engine/simulation';

/**
 * How fast a bad version is taken away from users once its alarm fires: scenario `alarm-rollback` (the new
 * version errs 30 minutes after the shift, the 5xx alarm goes to ALARM at the next minute CloudWatch
 * evaluates it), measured in the simulation with the default timings, against an instance-refresh rollback
 * computed from the same timings.
 *
 * The figure is taken from what users see: from the second the first alarm is in ALARM to the first second
 * from which no user request reaches the new version any more (the old fleet serves every request).
 */

/**
 * The default `monitoring.intervalSeconds`: before the checks were aligned with CloudWatch, the window
 * checked every interval from whenever it opened.
 */
const INTERVAL_SECONDS = 30;

/** The default boot time, then boot times that start the rollback window at other seconds of the minute. */
const DEFAULT_BOOT_SECONDS = 60;
const OTHER_BOOT_SECONDS = [45, 80, 90];
/**
 * Seconds of the minute at which CloudWatch evaluates the alarms, which AWS does not document: the
 * simulation's default (the minute itself), then the second of AWS's example state-change event.
 */
const DEFAULT_ALARM_SECOND = 0;
const OTHER_ALARM_SECONDS = [40];
/** The grid's offset past each evaluation (lambdas/monitor-new-version/schedule.ts). */
const CHECK_DELAY_SECONDS = 2;

export interface AlarmRollbackRun {
  bootSeconds: number;
  /** The second of each minute at which the simulated CloudWatch evaluated the alarms. */
  alarmSecond: number;
  passed: boolean;
  /** Virtual second the rollback window opened (the simulation starts on a whole minute). */
  windowStartedAt: number;
  /** Virtual second the first alarm was in ALARM. */
  alarmAt: number;
  /** Seconds from the alarm until the rollback started (the monitor saw the alarm). */
  detectionSeconds: number;
  /** Seconds from the alarm until the old fleet served every user request. */
  oldFleetServesAllSeconds: number;
  /**
   * The same had the window checked every interval from when it opened (the design before the alignment),
   * computed from this run: that loop's first check after the alarm, then this run's rollback.
   */
  pacedFromWindowStartSeconds: number;
  /**
   * The same had the checks stayed on the minute's grid (2 s past every minute, `intervalSeconds` apart)
   * instead of following the alarms' second, computed from this run.
   */
  minuteGridSeconds: number;
  stateTransitions: number;
}

export interface InstanceRefreshRollback {
  /** From the refresh's start: new instances boot, register and pass their first health check. */
  bestSeconds: number;
  /** The same when the first health check is missed: one more health-check interval. */
  worstSeconds: number;
  /** How the figures are made, in words. */
  how: string;
}

export interface AlarmRollbackReport {
  runs: AlarmRollbackRun[];
  instanceRefresh: InstanceRefreshRollback;
}

/** Runs scenario `alarm-rollback` once and reads the latencies from the run's seconds. */
export async function measureAlarmRollbackRun(
  bootSeconds: number,
  alarmSecond = DEFAULT_ALARM_SECOND,
): Promise<AlarmRollbackRun> {
  let windowStartedAt: number | undefined;
  let rollbackAt: number | undefined;
  let alarmAt: number | undefined;
  let newVersion: string | undefined;
  let lastServedByNew = -1;
  let previous: Record<string, number> = {};
  const report = await simulate(
    { scenario: 'alarm-rollback', seed: 1, bootSeconds, alarmEvaluationSecond: alarmSecond },
    {
      onStateEntered: (state, at) => {
        if (state === KEY_STATES.window) windowStartedAt ??= at;
        if (state === KEY_STATES.rollback) rollbackAt ??= at;
      },
      onSecond: ({ at, account, requests }) => {
        const served = Object.fromEntries(
          Object.entries(requests.byVersion).map(([version, counts]) => [version, counts.served]),
        );
        const servedNow = (version: string) => (served[version] ?? 0) - (previous[version] ?? 0);
        if (alarmAt === undefined && account.alarms.some((alarm) => alarm.state === 'ALARM')) {
          alarmAt = at;
          // The version users reach when the alarm fires is the new one: the old fleet is parked in Standby.
          newVersion = Object.keys(served).find((version) => servedNow(version) > 0);
        }
        if (newVersion !== undefined && servedNow(newVersion) > 0) lastServedByNew = at;
        previous = served;
      },
    },
  );
  if (windowStartedAt === undefined || alarmAt === undefined || rollbackAt === undefined) {
    throw new Error(
      `scenario alarm-rollback (boot ${bootSeconds} s) ended ${report.outcome} without an alarm and a rollback`,
    );
  }
  const detectionSeconds = rollbackAt - alarmAt;
  const oldFleetServesAllSeconds = lastServedByNew + 1 - alarmAt;
  const pacedCheck =
    windowStartedAt + Math.ceil((alarmAt - windowStartedAt) / INTERVAL_SECONDS) * INTERVAL_SECONDS;
  const minuteGridCheck =
    Math.ceil((alarmAt - CHECK_DELAY_SECONDS) / INTERVAL_SECONDS) * INTERVAL_SECONDS + CHECK_DELAY_SECONDS;
  const rollbackSeconds = oldFleetServesAllSeconds - detectionSeconds;
  return {
    bootSeconds,
    alarmSecond,
    passed: passed(report),
    windowStartedAt,
    alarmAt,
    detectionSeconds,
    oldFleetServesAllSeconds,
    pacedFromWindowStartSeconds: pacedCheck - alarmAt + rollbackSeconds,
    minuteGridSeconds: minuteGridCheck - alarmAt + rollbackSeconds,
    stateTransitions: report.stateTransitions,
  };
}

/**
 * An instance refresh rolls back by replacing instances: new ones launch from the previous launch template,
 * boot, register with the target group and must pass a health check before they serve; the bad instances
 * leave only after that. Computed from the simulation's own timings, and in the refresh's favour: counted
 * from the refresh's start (no detection lag), every instance replaced at once (no MinHealthyPercentage
 * batches, no instance warm-up) and the bad instances gone the moment the new ones are healthy.
 */
export function instanceRefreshRollback(bootSeconds = DEFAULT_BOOT_SECONDS): InstanceRefreshRollback {
  const interval = referenceEnvironment.healthCheck.intervalSeconds;
  return {
    bestSeconds: bootSeconds + REGISTRATION_SECONDS,
    worstSeconds: bootSeconds + REGISTRATION_SECONDS + interval,
    how:
      `boot ${bootSeconds} s + first health check ${REGISTRATION_SECONDS} s after registration` +
      ` (+ one ${interval} s health-check interval when it is missed)`,
  };
}

export async function measureAlarmRollback(): Promise<AlarmRollbackReport> {
  const runs: AlarmRollbackRun[] = [];
  for (const bootSeconds of [DEFAULT_BOOT_SECONDS, ...OTHER_BOOT_SECONDS]) {
    runs.push(await measureAlarmRollbackRun(bootSeconds));
  }
  for (const alarmSecond of OTHER_ALARM_SECONDS) {
    for (const bootSeconds of [DEFAULT_BOOT_SECONDS, ...OTHER_BOOT_SECONDS]) {
      runs.push(await measureAlarmRollbackRun(bootSeconds, alarmSecond));
    }
  }
  return { runs, instanceRefresh: instanceRefreshRollback() };
}

const ratio = (refresh: number, ours: number): string => `${(refresh / ours).toFixed(1)}×`;

export function printAlarmRollbackTable({ runs, instanceRefresh }: AlarmRollbackReport): void {
  process.stdout.write(
    '\nAlarm to rollback (scenario alarm-rollback, seconds after the alarm went to ALARM; other boot times' +
      ' open the rollback window at other seconds of the minute; "alarms at" is the second of the minute' +
      ' CloudWatch evaluates them at, which AWS does not document)\n',
  );
  const header = [
    'boot s',
    'alarms at',
    'window opens',
    'alarm at',
    'seen after',
    'old fleet serves all after',
    `before: every ${INTERVAL_SECONDS} s from the opening (computed)`,
    'checks on the minute (computed)',
    'transitions',
    'result',
  ];
  const clock = (seconds: number): string =>
    `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  const lines = runs.map((run) => [
    `${run.bootSeconds}${run.bootSeconds === DEFAULT_BOOT_SECONDS ? ' (default)' : ''}`,
    `:${String(run.alarmSecond).padStart(2, '0')}`,
    clock(run.windowStartedAt),
    clock(run.alarmAt),
    `${run.detectionSeconds} s`,
    `${run.oldFleetServesAllSeconds} s`,
    `${run.pacedFromWindowStartSeconds} s`,
    `${run.minuteGridSeconds} s`,
    String(run.stateTransitions),
    run.passed ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...lines.map((line) => line[column].length)),
  );
  for (const line of [header, ...lines]) {
    process.stdout.write(`  ${line.map((cell, column) => cell.padEnd(widths[column])).join('  ')}\n`);
  }
  const range = (values: number[]): string => `${Math.min(...values)}–${Math.max(...values)} s`;
  const aligned = runs.map((run) => run.oldFleetServesAllSeconds);
  const paced = runs.map((run) => run.pacedFromWindowStartSeconds);
  const otherSeconds = runs.filter((run) => run.alarmSecond !== DEFAULT_ALARM_SECOND);
  const [{ oldFleetServesAllSeconds: ours, pacedFromWindowStartSeconds: before }] = runs;
  const { bestSeconds, worstSeconds, how } = instanceRefresh;
  process.stdout.write(
    `\n  alarm to 100% old fleet, default timings: ${ours} s (${range(aligned)} over the window openings above);` +
      ` checking every ${INTERVAL_SECONDS} s from the window's start: ${before} s (${range(paced)})\n` +
      `  instance-refresh rollback, same timings: ${bestSeconds}–${worstSeconds} s from its start (${how})\n` +
      `  faster than an instance refresh: ${ratio(bestSeconds, ours)}–${ratio(worstSeconds, ours)} with the` +
      ` default timings, at least ${ratio(bestSeconds, Math.max(...aligned))} at any window opening above` +
      ` (checking from the window's start: ${ratio(bestSeconds, before)}–${ratio(worstSeconds, before)})\n` +
      (otherSeconds.length > 0
        ? `  alarms evaluated at another second: ${range(otherSeconds.map((run) => run.oldFleetServesAllSeconds))}` +
          ` following their second, ${range(otherSeconds.map((run) => run.minuteGridSeconds))} had the checks` +
          ` stayed on the minute\n`
        : ''),
  );
}

export function alarmRollbackFailed({ runs }: AlarmRollbackReport): boolean {
  return runs.some((run) => !run.passed);
}
