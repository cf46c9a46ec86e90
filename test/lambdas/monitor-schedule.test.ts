import {
  ALARM_CHECK_DELAY_SECONDS,
  evaluationPhase,
  nextCheckAt,
} from '../../lambdas/monitor-new-version/schedule';

/** A UTC time on 2026-01-05 at 09:MM:SS.mmm, in ms. */
const at = (minute: number, second: number, ms = 0) => Date.UTC(2026, 0, 5, 9, minute, second, ms);
const HOUR_LATER = at(59, 59);

describe('the rollback window’s schedule (lambdas/monitor-new-version/schedule.ts)', () => {
  it('reads the alarms 2 s after CloudWatch’s evaluation minute', () => {
    expect(ALARM_CHECK_DELAY_SECONDS).toBe(2);
    expect(nextCheckAt(at(31, 40), 30, HOUR_LATER)).toBe('2026-01-05T09:32:02Z');
  });

  it.each([10, 12, 15, 20, 30, 60])(
    'with an interval of %i s, which divides a minute, a check falls 2 s after every minute and the checks stay that far apart',
    (interval) => {
      const checks: number[] = [];
      let now = at(0, 47, 300);
      for (let i = 0; i < (3 * 60) / interval; i++) {
        now = Date.parse(nextCheckAt(now, interval, HOUR_LATER)) + 250; // the check itself takes a while
        checks.push(now - 250);
      }
      const secondsOfMinute = new Set(checks.map((check) => new Date(check).getUTCSeconds()));
      expect(secondsOfMinute).toContain(2);
      expect(checks.slice(1).map((check, i) => (check - checks[i]) / 1000)).toEqual(
        checks.slice(1).map(() => interval),
      );
    },
  );

  it('with an interval of whole minutes, checks 2 s after every one of those minutes', () => {
    expect(nextCheckAt(at(31, 40), 120, HOUR_LATER)).toBe('2026-01-05T09:32:02Z');
    expect(nextCheckAt(at(32, 2, 500), 120, HOUR_LATER)).toBe('2026-01-05T09:34:02Z');
    expect(nextCheckAt(at(31, 40), 300, HOUR_LATER)).toBe('2026-01-05T09:35:02Z');
  });

  it('never schedules a check less than a second away: one that just ran saw the same', () => {
    expect(nextCheckAt(at(32, 1, 500), 30, HOUR_LATER)).toBe('2026-01-05T09:32:32Z');
    expect(nextCheckAt(at(32, 1, 0), 30, HOUR_LATER)).toBe('2026-01-05T09:32:02Z');
  });

  it('ends with the window: its end, rounded up to the second, when that comes before the grid', () => {
    expect(nextCheckAt(at(31, 40), 30, at(31, 50, 1))).toBe('2026-01-05T09:31:51Z');
    expect(nextCheckAt(at(31, 40), 30, at(31, 50))).toBe('2026-01-05T09:31:50Z');
    expect(nextCheckAt(at(31, 40), 30, at(33, 0))).toBe('2026-01-05T09:32:02Z');
  });

  it('never answers a time already past: a check that ends after the window closed is followed by one a second later', () => {
    expect(nextCheckAt(at(32, 0, 300), 30, at(32, 0))).toBe('2026-01-05T09:32:02Z');
    expect(nextCheckAt(at(31, 59, 900), 30, at(32, 0))).toBe('2026-01-05T09:32:01Z');
  });

  it('writes what a Wait state’s TimestampPath takes: RFC 3339, UTC, whole seconds', () => {
    expect(nextCheckAt(at(31, 40, 123), 30, HOUR_LATER)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('never schedules a check less than an interval after the one scheduled last, when the grid moves', () => {
    // Scheduled for 09:00:32 on the minute's grid; the alarms now say :03: the next grid point, :35, is only
    // 3 s later, so the check after it, 09:01:05, is the next.
    expect(nextCheckAt(at(0, 32, 300), 30, HOUR_LATER, 3, at(0, 32))).toBe('2026-01-05T09:01:05Z');
    // The grid unmoved: exactly an interval later.
    expect(nextCheckAt(at(0, 32, 300), 30, HOUR_LATER, 0, at(0, 32))).toBe('2026-01-05T09:01:02Z');
  });

  it('shifts the grid to the second the alarms are evaluated at', () => {
    expect(nextCheckAt(at(31, 10), 30, HOUR_LATER, 40)).toBe('2026-01-05T09:31:12Z');
    expect(nextCheckAt(at(31, 13), 30, HOUR_LATER, 40)).toBe('2026-01-05T09:31:42Z');
    expect(nextCheckAt(at(31, 43), 60, HOUR_LATER, 40)).toBe('2026-01-05T09:32:42Z');
  });
});

describe('the second the rollback window’s grid starts from (evaluationPhase)', () => {
  const changedAt = (...seconds: number[]) => seconds.map((second) => new Date(at(12, second, 480)));

  it('is the minute itself when no alarm says when it last changed', () => {
    expect(evaluationPhase([], 30)).toBe(0);
  });

  it('is the second of the minute at which the alarms last changed, the milliseconds aside', () => {
    expect(evaluationPhase(changedAt(40), 30)).toBe(40);
    expect(evaluationPhase(changedAt(40, 40, 40), 60)).toBe(40);
  });

  it('with alarms at different seconds, is the one after which the last alarm to be seen waits least', () => {
    // Phase 50: the :05 alarm is seen 15 s (+2) later, the :15 one 5 s; phase 5 makes the :15 one wait 20 s.
    expect(evaluationPhase(changedAt(5, 15, 50), 30)).toBe(50);
    // Checks every 10 s: phase 7 sees the :03 alarm 4 s late, phase 3 the :07 one 6 s late.
    expect(evaluationPhase(changedAt(3, 7), 10)).toBe(7);
  });

  it('with an interval of whole minutes, weighs the lag within the minute', () => {
    // Phase 0 sees the :40 alarm 20 s late, phase 40 the :00 one 40 s late.
    expect(evaluationPhase(changedAt(0, 40), 120)).toBe(0);
  });

  it('is the minute itself for an interval that keeps no second of the minute', () => {
    expect(evaluationPhase(changedAt(40), 45)).toBe(0);
  });
});
