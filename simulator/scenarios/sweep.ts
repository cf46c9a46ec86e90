/**
 * The seeded fault sweep (`npm run sweep`): each seed draws a reproducible set of options (a scenario,
 * fault probabilities, duplicate invocations, a rollback window), and the run must end with the outcome
 * those options imply. The drawing lives here, apart from the CLI, so that a test can replay a seed.
 */
import { Random } from '../account/random';
import type { SimulationOptions } from './options';

/**
 * The scenarios drawn from, with weights: the ones that deploy (and so make every mutating call) weigh
 * more than the refusals. A fixed list, not the catalog's, so that a seed keeps drawing the same options
 * when scenarios are added. `throttled` and `duplicate-lambdas` are left out: the drawn faults replace theirs.
 */
const SWEEP_SCENARIOS: readonly (readonly [name: string, weight: number])[] = [
  ['happy', 3],
  ['second-deployment', 2],
  ['bootstrap', 2],
  ['alarm-rollback', 2],
  ['synthetic-fail', 2],
  ['never-healthy', 2],
  ['stopped-then-redeploy', 1],
  ['concurrent', 1],
  ['large-fleet', 1],
  ['leftover-suspended-processes', 1],
  ['encrypted-notifications', 1],
  ['not-our-ami', 1],
  ['bad-input', 1],
  ['missing-alarm', 1],
  ['instance-role-not-granted', 1],
];

/**
 * The shortest window a scenario's expected outcome holds for: `alarm-rollback` errs 30 minutes after the
 * shift, so its alarm must fire inside the window.
 */
const MIN_WINDOW_MINUTES: Readonly<Record<string, number>> = { 'alarm-rollback': 35 };

/** Upper bounds of the drawn probabilities: per attempt, before the SDK's and the workflow's retries. */
export const SWEEP_LIMITS = {
  throttleProbability: 0.3,
  transientErrorProbability: 0.1,
  lostResponseProbability: 0.1,
  windowMinutes: { min: 5, max: 60 },
} as const;

/** Each scenario as often as its weight. */
export function sweepScenarios(): string[] {
  return SWEEP_SCENARIOS.flatMap(([name, weight]) => Array.from({ length: weight }, () => name));
}

/** The options seed `seed` stands for: the same seed always draws the same options. */
export function sweepOptions(seed: number): SimulationOptions {
  const random = new Random(seed).fork('sweep');
  const scenarios = sweepScenarios();
  const scenario = scenarios[random.int(scenarios.length)];
  // A quarter of the draws leave a knob at 0, so runs with only some kinds of fault come up too.
  const probability = (limit: number) =>
    random.chance(0.25) ? 0 : Math.round(random.next() * limit * 1000) / 1000;
  const throttleProbability = probability(SWEEP_LIMITS.throttleProbability);
  const transientErrorProbability = probability(SWEEP_LIMITS.transientErrorProbability);
  const lostResponseProbability = probability(SWEEP_LIMITS.lostResponseProbability);
  const duplicateInvocations = random.chance(0.5);
  const min = Math.max(SWEEP_LIMITS.windowMinutes.min, MIN_WINDOW_MINUTES[scenario] ?? 0);
  const windowMinutes = min + random.int(SWEEP_LIMITS.windowMinutes.max - min + 1);
  return {
    scenario,
    seed,
    windowMinutes,
    throttleProbability,
    transientErrorProbability,
    lostResponseProbability,
    duplicateInvocations,
  };
}

/** The `npm run simulate` command that replays these options in a process of its own. */
export function simulateCommand(options: SimulationOptions): string {
  const args = [`--scenario ${options.scenario}`, `--seed ${options.seed}`];
  if (options.windowMinutes !== undefined) args.push(`--window-minutes ${options.windowMinutes}`);
  if (options.throttleProbability !== undefined) args.push(`--throttle ${options.throttleProbability}`);
  if (options.transientErrorProbability !== undefined)
    args.push(`--transient ${options.transientErrorProbability}`);
  if (options.lostResponseProbability !== undefined)
    args.push(`--lost-answers ${options.lostResponseProbability}`);
  if (options.duplicateInvocations) args.push('--duplicate-invocations');
  return `npm run -s simulate -- ${args.join(' ')}`;
}
