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

  /**
   * Runs that failed before a fix (their seeds replay the same faults; each fails with that fix undone). A
   * change to the calls the steps make changes where the faults strike, so a case may stop exercising its
   * fix: the unit tests named in each fix are the lasting proof, these the end-to-end one.
   */
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
        scenario: 'happy',
        seed: 13,
        windowMinutes: 10,
        throttleProbability: 0,
        transientErrorProbability: 0,
        lostResponseProbability: 0.3,
      },
    ],
    [
      'an outcome notification SNS throttled on every attempt is published again',
      {
        scenario: 'encrypted-notifications',
        seed: 9,
        windowMinutes: 10,
        throttleProbability: 0.45,
        transientErrorProbability: 0,
        lostResponseProbability: 0,
      },
    ],
    [
      'a step with a dozen reads under heavy throttling: each call gets 5 SDK attempts, not 3',
      {
        scenario: 'bootstrap',
        seed: 963,
        windowMinutes: 9,
        throttleProbability: 0.245,
        transientErrorProbability: 0.095,
        lostResponseProbability: 0.088,
        duplicateInvocations: true,
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
