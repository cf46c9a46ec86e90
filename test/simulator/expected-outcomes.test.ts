import { passed, simulate, type SimulationReport } from '../../simulator/engine/simulation';
import type { SimulationOptions } from '../../simulator/scenarios/options';

/**
 * Issue 8, finding 6: the outcome a combination of options implies. `--alarm-at M` makes the new version err
 * from minute M after the traffic shift (its first request served through the main target group); the
 * rollback window of W minutes opens later, once the old fleet is in Standby (about 35 s after the shift
 * here), and the 5xx alarm (one period of 60 s, 1 datapoint, 5 errors) turns ALARM at the end of the first
 * minute with 5 errors. So the run must roll back exactly when the alarm fires while the window is open.
 */
const run = (options: Partial<SimulationOptions>): Promise<SimulationReport> =>
  simulate({ scenario: 'happy', seed: 1, ...options });

const outcomes = (report: SimulationReport) => ({
  outcome: report.outcome,
  expectedOutcome: report.expectedOutcome,
  passed: passed(report),
});

describe('--alarm-at M with a window of W minutes', () => {
  it.each([
    ['W − 1', 4, 'rolled-back'],
    // Errors from minute 5 after the shift begin inside the window (it opened ~35 s after the shift) and the
    // alarm fires 10 s later, at 00:07:00, before the window's last check at 00:07:25.
    ['W', 5, 'rolled-back'],
    ['W + 1', 6, 'succeeded'],
    ['W + 3', 8, 'succeeded'],
  ])(
    'M = %s (W = 5, M = %i): %s',
    async (_boundary, alarmAt, expected) => {
      const report = await run({ windowMinutes: 5, alarmAt });
      expect(outcomes(report)).toEqual({ outcome: expected, expectedOutcome: expected, passed: true });
      expect(report.invariantViolations).toEqual([]);
      expect(report.requests.failed).toBe(0);
    },
    60_000,
  );

  it('M = W is settled by seconds: errors that begin 5 s into a minute fire the alarm 55 s later, after the window closed', async () => {
    // Booting in 17 s moves the shift to 5 s past a minute: the first minute with errors ends 55 s after
    // they begin, 20 s after the window's last check.
    const atWindow = await run({ windowMinutes: 2, alarmAt: 2, bootSeconds: 17 });
    expect(outcomes(atWindow)).toEqual({ outcome: 'succeeded', expectedOutcome: 'succeeded', passed: true });
    const before = await run({ windowMinutes: 2, alarmAt: 1, bootSeconds: 17 });
    expect(outcomes(before)).toEqual({
      outcome: 'rolled-back',
      expectedOutcome: 'rolled-back',
      passed: true,
    });
  }, 60_000);

  it('W = 0: the window is one check, which sees the alarm of errors from the shift (M = 0), not of a minute later', async () => {
    expect(outcomes(await run({ windowMinutes: 0, alarmAt: 0 }))).toEqual({
      outcome: 'rolled-back',
      expectedOutcome: 'rolled-back',
      passed: true,
    });
    expect(outcomes(await run({ windowMinutes: 0, alarmAt: 1 }))).toEqual({
      outcome: 'succeeded',
      expectedOutcome: 'succeeded',
      passed: true,
    });
  }, 60_000);
});

describe('the outcome other option combinations imply', () => {
  it('errors too sparse for the alarm (1 in 1000 requests: under 5 a minute) never roll back', async () => {
    const report = await run({ windowMinutes: 5, errorRate: 0.001 });
    expect(outcomes(report)).toEqual({ outcome: 'succeeded', expectedOutcome: 'succeeded', passed: true });
  }, 60_000);

  it('a scenario whose version errs after the window (alarm-rollback, 30 minutes, with a 20-minute window) succeeds', async () => {
    const report = await simulate({ scenario: 'alarm-rollback', seed: 1, windowMinutes: 20 });
    expect(outcomes(report)).toEqual({ outcome: 'succeeded', expectedOutcome: 'succeeded', passed: true });
  }, 60_000);

  it('--fail-health on a scenario that would roll back aborts before the shift', async () => {
    const report = await simulate({ scenario: 'alarm-rollback', seed: 1, failHealth: true });
    expect(outcomes(report)).toEqual({ outcome: 'aborted', expectedOutcome: 'aborted', passed: true });
  }, 60_000);

  it('--stop-at on a scenario that would roll back stops there', async () => {
    const report = await simulate({
      scenario: 'alarm-rollback',
      seed: 1,
      stopAt: 'Put old fleet back in service',
    });
    expect(outcomes(report)).toEqual({ outcome: 'failed', expectedOutcome: 'failed', passed: true });
    expect(report.executions[0].stoppedAt).toBe('Put old fleet back in service');
    expect(report.invariantViolations).toEqual([]);
    expect(report.requests.failed).toBe(0);
  }, 60_000);

  it('a run that does not do what the alarms say does not pass', async () => {
    const report = await run({ windowMinutes: 5, alarmAt: 5 });
    const contrary = { ...report.executions[0], outcome: 'succeeded' as const };
    expect(passed({ ...report, outcome: 'succeeded', executions: [contrary] })).toBe(false);
  }, 60_000);
});
