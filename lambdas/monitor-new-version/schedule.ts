/**
 * When the rollback window's next check runs: on a fixed grid of UTC time, `intervalSeconds` apart and
 * `ALARM_CHECK_DELAY_SECONDS` past each grid point, so that with an interval that divides a minute (or is a
 * whole number of minutes) a check falls just after every minute CloudWatch evaluates the alarms at
 * (docs/aws-facts/cloudwatch-alarms.md#evaluation-timing). The grid is shifted to the second of the minute
 * at which the watched alarms were last seen to change (`evaluationPhase`): AWS documents that an alarm is
 * evaluated every minute, not at which second. The window's first check runs when it opens, whenever that
 * is; every later one is on the grid, and the last one when the window closes.
 *
 * Why a grid rather than "interval after the last check": the checks then fall at whatever second of the
 * minute the window happened to open, and an alarm that goes to ALARM at the minute waits up to a whole
 * interval to be seen. The grid keeps the checks `intervalSeconds` apart: a window holds at most one check
 * more than before, the one that closes it (lambdas/shared/settings/history-budget.ts counts it in the history budget).
 */

/**
 * Seconds after CloudWatch's evaluation minute at which a check reads the alarms. AWS documents that
 * alarms are evaluated every minute, not how many seconds into it a new state shows
 * (docs/aws-facts/cloudwatch-alarms.md#evaluation-timing); the next check, an interval later, sees a late one.
 */
export const ALARM_CHECK_DELAY_SECONDS = 2;

/** Checks closer together than this are not scheduled: the one that just ran saw the same state. */
const MIN_PAUSE_MS = 1_000;

/**
 * The time of the next check, in whole seconds: the first grid point at least a second from `now` and at
 * least an interval after the check that was scheduled last (`previousCheckAt`: when the grid moves with the
 * alarms' second, the checks still never come closer than `intervalSeconds`, and the window's history budget
 * holds), or the end of the window if that comes first (rounded up to the second, so that the check there
 * finds the window complete), and never less than a second from `now`. As a Wait state's timestamp: RFC 3339,
 * UTC, `T` and `Z` in capitals (docs/aws-facts/step-functions.md#wait-timestamps).
 */
export function nextCheckAt(
  now: number,
  intervalSeconds: number,
  windowEndsAt: number,
  phaseSeconds = 0,
  previousCheckAt?: number,
): string {
  const interval = intervalSeconds * 1000;
  const delay = (phaseSeconds + ALARM_CHECK_DELAY_SECONDS) * 1000;
  const from = Math.max(now + MIN_PAUSE_MS, previousCheckAt === undefined ? 0 : previousCheckAt + interval);
  const onGrid = Math.ceil((from - delay) / interval) * interval + delay;
  const windowEnd = Math.ceil(windowEndsAt / 1000) * 1000;
  // Never in the past, nor in the second it answers in: a check that began before the window closed may
  // end after it (what a Wait does with a past timestamp is undocumented).
  const soonest = Math.ceil((now + MIN_PAUSE_MS) / 1000) * 1000;
  return timestamp(Math.max(Math.min(onGrid, windowEnd), soonest));
}

/**
 * The second of the minute the grid starts from, learnt from the watched alarms: each changes state only
 * when CloudWatch evaluates it, so the second of its last change (`StateUpdatedTimestamp`) is the second at
 * which it is evaluated, if CloudWatch evaluates it at the same second every minute. AWS does not document
 * that (docs/aws-facts/cloudwatch-alarms.md#evaluation-timing); if it does not hold, or an alarm was last set
 * by SetAlarmState or never evaluated, its change is seen at a later check, at most an interval after it, as
 * with no learning. With alarms at different seconds the grid is the one after which the slowest to be seen
 * waits least. No alarm, no timestamp: 0, the minute itself. A phase that moves between checks (an alarm set by
 * SetAlarmState, an evaluation state that changed) never brings two checks closer than an interval
 * (`nextCheckAt`'s `previousCheckAt`).
 */
export function evaluationPhase(lastChanges: readonly Date[], intervalSeconds: number): number {
  // Checks that repeat with the evaluations: every `period` seconds within the minute. An interval that
  // neither divides a minute nor is made of whole minutes keeps no second of the minute: no phase helps.
  const period = 60 % intervalSeconds === 0 ? intervalSeconds : intervalSeconds % 60 === 0 ? 60 : undefined;
  if (period === undefined) return 0;
  const seconds = [...new Set(lastChanges.map((change) => change.getUTCSeconds()))].sort((a, b) => a - b);
  const lag = (phase: number, second: number) => (((phase - second) % period) + period) % period;
  const worstLag = (phase: number) => Math.max(...seconds.map((second) => lag(phase, second)));
  return (
    seconds.reduce<number | undefined>(
      (best, phase) => (best === undefined || worstLag(phase) < worstLag(best) ? phase : best),
      undefined,
    ) ?? 0
  );
}

/** `2026-01-05T09:32:02Z`: no fraction (Step Functions truncates milliseconds anyway). */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
