import { instanceRefreshRollback, measureAlarmRollbackRun } from '../../bench/alarm-rollback';
import { KEY_STATES } from '../../lambdas/shared/contract';
import { ALARM_CHECK_DELAY_SECONDS } from '../../lambdas/monitor-new-version/schedule';
import { passed, simulate } from '../../simulator/engine/simulation';

/**
 * Detection aligned with CloudWatch (docs/design.md#alarm-aligned-monitoring), on the synthesized definition
 * against the simulated account, whose alarms CloudWatch evaluates at the end of every minute
 * (docs/aws-facts/cloudwatch-alarms.md#evaluation-timing). The simulation starts on a whole minute, so a
 * virtual second's remainder by 60 is its second of the minute.
 */
describe('the rollback window sees an alarm within seconds of its evaluation', () => {
  it('alarm-rollback, default timings: the old fleet serves every request within 15 s of the alarm, 3× faster than an instance refresh, users unaffected', async () => {
    const run = await measureAlarmRollbackRun(60);

    expect(run.passed).toBe(true); // zero failed requests, no invariant violated, rolled back
    expect(run.alarmAt % 60).toBe(0);
    expect(run.detectionSeconds).toBe(ALARM_CHECK_DELAY_SECONDS);
    expect(run.oldFleetServesAllSeconds).toBeLessThanOrEqual(15);
    expect(instanceRefreshRollback().bestSeconds / run.oldFleetServesAllSeconds).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it.each([45, 90])(
    'whatever second of the minute the window opened at (boot %i s): the same 2 s to see the alarm',
    async (bootSeconds) => {
      const run = await measureAlarmRollbackRun(bootSeconds);

      expect(run.passed).toBe(true);
      expect(run.windowStartedAt % 30).not.toBe(ALARM_CHECK_DELAY_SECONDS);
      expect(run.detectionSeconds).toBe(ALARM_CHECK_DELAY_SECONDS);
      expect(run.oldFleetServesAllSeconds).toBeLessThanOrEqual(15);
    },
    60_000,
  );

  it('a one-hour window: every check after the first falls 2 s after a minute or a half-minute, or ends the window; ≤ 500 transitions', async () => {
    const report = await simulate({ scenario: 'happy', seed: 1 });
    expect(passed(report)).toBe(true);
    const checks = report.timeline
      .filter((entry) => entry.state === `${KEY_STATES.window}: check`)
      .map((entry) => entry.at);
    const opened = checks[0];
    const closed = opened + 3600;

    expect(checks[checks.length - 1]).toBe(closed);
    expect(checks.slice(1, -1).every((at) => at % 30 === ALARM_CHECK_DELAY_SECONDS)).toBe(true);
    // At most one more check than a loop paced from the window's start: 3600 / 30 + 1.
    expect(checks.length).toBeLessThanOrEqual(3600 / 30 + 2);
    expect(report.stateTransitions).toBeLessThanOrEqual(500);
  }, 60_000);
});
