import { passed, simulate } from '../../simulator/engine/simulation';
import type { SimulationOptions } from '../../simulator/scenarios/options';
import { simulateCommand, sweepOptions, SWEEP_LIMITS } from '../../simulator/scenarios/sweep';

describe('the seeded fault sweep (npm run sweep)', () => {
  it('draws the same options for a seed, within the limits, and prints the command that replays them', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const options = sweepOptions(seed);
      expect(sweepOptions(seed)).toEqual(options);
      expect(options.seed).toBe(seed);
      expect(options.throttleProbability).toBeLessThanOrEqual(SWEEP_LIMITS.throttleProbability);
      expect(options.transientErrorProbability).toBeLessThanOrEqual(SWEEP_LIMITS.transientErrorProbability);
      expect(options.lostResponseProbability).toBeLessThanOrEqual(SWEEP_LIMITS.lostResponseProbability);
      expect(options.windowMinutes).toBeGreaterThanOrEqual(SWEEP_LIMITS.windowMinutes.min);
      expect(options.windowMinutes).toBeLessThanOrEqual(SWEEP_LIMITS.windowMinutes.max);
    }
    expect(
      simulateCommand({
        scenario: 'happy',
        seed: 9,
        windowMinutes: 23,
        throttleProbability: 0.174,
        transientErrorProbability: 0,
        lostResponseProbability: 0.021,
        duplicateInvocations: true,
      }),
    ).toBe(
      'npm run -s simulate -- --scenario happy --seed 9 --window-minutes 23 --throttle 0.174 --transient 0 --lost-answers 0.021 --duplicate-invocations',
    );
  });

  /** Runs the sweep found failing before their fixes (their seeds replay the same faults). */
  const FORMERLY_FAILING: [fixed: string, options: SimulationOptions][] = [
    [
      'DetachTrafficSources whose answer was lost: the step judges the retry’s refusal by the account',
      {
        scenario: 'never-healthy',
        seed: 8,
        windowMinutes: 10,
        throttleProbability: 0,
        transientErrorProbability: 0,
        lostResponseProbability: 0.1,
      },
    ],
    [
      'a call whose answer was lost to a timeout on its last attempt is retried by the workflow',
      {
        scenario: 'second-deployment',
        seed: 9,
        windowMinutes: 23,
        throttleProbability: 0.174,
        transientErrorProbability: 0.082,
        lostResponseProbability: 0.021,
        duplicateInvocations: false,
      },
    ],
    [
      'an outcome notification SNS throttled three times is published again',
      {
        scenario: 'encrypted-notifications',
        seed: 81,
        windowMinutes: 32,
        throttleProbability: 0.23,
        transientErrorProbability: 0.056,
        lostResponseProbability: 0,
        duplicateInvocations: false,
      },
    ],
  ];

  it.each(FORMERLY_FAILING)(
    '%s',
    async (_fixed, options) => {
      const report = await simulate(options);

      expect(report.executions.map((execution) => [execution.outcome, execution.message])).toEqual(
        report.executions.map((execution) => [execution.expectedOutcome, expect.any(String)]),
      );
      expect(passed(report)).toBe(true);
    },
    60_000,
  );
});
