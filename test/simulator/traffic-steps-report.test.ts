/**
 * The report's trafficSteps and the summary's line for each, in whole simulated deployments
 * (simulator/traffic/traffic-steps.ts; the segmentation itself: test/simulator/traffic/traffic-steps.test.ts).
 */
import { KEY_STATES } from '../../lambdas/shared/contract';
import { summary } from '../../cli/display';
import { DEFAULT_AMIS } from '../../simulator/account';
import { simulate } from '../../simulator/engine/simulation';

describe('the report shows each version’s share of user traffic in the window', () => {
  it('an all-at-once shift: the new version serves every request of the window, to its end', async () => {
    const report = await simulate({ scenario: 'happy', seed: 1, windowMinutes: 5 });
    const window = report.timeline.find((entry) => entry.state === KEY_STATES.window);
    expect(report.trafficSteps).toEqual([
      {
        execution: window?.execution,
        state: KEY_STATES.window,
        step: 'window',
        fromSecond: window?.at,
        toSecond: expect.any(Number),
        requests: expect.any(Number),
        byVersion: { [DEFAULT_AMIS.next]: { served: expect.any(Number), share: 1 } },
      },
    ]);
    const [entry] = report.trafficSteps;
    // Five minutes of checks, then the state after the loop; at the scenario's 10 requests a second.
    expect((entry?.toSecond ?? 0) - (entry?.fromSecond ?? 0)).toBeGreaterThanOrEqual(300);
    expect(entry?.requests).toBe(((entry?.toSecond ?? 0) - (entry?.fromSecond ?? 0)) * 10);
    expect(summary(report)).toMatch(
      /\n {2}traffic in the window \(Monitor new version during rollback window, 00:\d\d:\d\d–00:\d\d:\d\d\): v2 100\.0% of 3,\d{3} requests\n/,
    );
  }, 60_000);

  it('a rollback from the window: the window ends where the rollback begins', async () => {
    const report = await simulate({ scenario: 'alarm-rollback', seed: 1 });
    const rollback = report.timeline.find((entry) => entry.state === KEY_STATES.rollback);
    expect(report.trafficSteps).toHaveLength(1);
    expect(report.trafficSteps[0]).toMatchObject({ step: 'window', toSecond: rollback?.at });
  }, 60_000);
});
