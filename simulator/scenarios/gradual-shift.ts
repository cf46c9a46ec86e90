import type { ShiftOverride } from '../../lambdas/shared/settings/shift';
import type { ConfiguredProps } from '../../infra/props';
import type { DeploymentRun, Scenario } from './catalog';
import type { Outcome } from './options';

/**
 * Gradual shifts (docs/design.md#gradual-shift) and the comparison of the new version with the old one
 * (docs/design.md#comparison), each split by instances and by weight. Ten instances a side, so that a 10 %
 * share by instances is one instance, as by weight it is one request in ten.
 */

const TEN_INSTANCES = { instances: 10 };

/** The shift as an execution's override: what a pipeline asks for one release. */
const deployWith = (shift: ShiftOverride, expectedOutcome: Outcome = 'succeeded'): DeploymentRun => ({
  input: { amiId: '{next}', overrides: { shift: { ...shift } } },
  expectedOutcome,
});

/** The comparison on (or off), with the configuration's tolerances, as a team would configure it. */
const comparison =
  (enabled: boolean) =>
  (configured: ConfiguredProps): Partial<ConfiguredProps> => ({
    monitoring: { ...configured.monitoring, comparison: { enabled } },
  });

/** Three times slower than the old version (20 ms), far under the 1 s p99 alarm: only a comparison sees it. */
const SLOWER = { latencyMs: 60 };

const splits = ['instances', 'weight'] as const;
const suffix = (split: (typeof splits)[number]) => (split === 'weight' ? '-by-weight' : '');

export const GRADUAL_SHIFT_SCENARIOS: readonly Scenario[] = splits.flatMap((split): Scenario[] => [
  {
    name: `canary${suffix(split)}`,
    description: `Canary by ${split}: the new version takes 10% of production traffic for a 5-minute bake, then all of it.`,
    environment: TEN_INSTANCES,
    deployment: () => ({ shift: { mode: 'canary', split } }),
    runs: [{ input: { amiId: '{next}' }, expectedOutcome: 'succeeded' }],
  },
  {
    name: `linear${suffix(split)}`,
    description: `Linear by ${split}, asked for by the execution: 25%, 50%, 75%, each baked 5 minutes, then all; the comparison on, which a sound version passes at every share and in the window.`,
    environment: TEN_INSTANCES,
    deployment: comparison(true),
    runs: [deployWith({ mode: 'linear', split })],
  },
  {
    name: `canary-rollback${suffix(split)}`,
    description: `Canary by ${split}, a version that errs from its first minute of users: the 5xx alarm fires during the canary's bake and the old version takes its share back.`,
    environment: { ...TEN_INSTANCES, newVersion: { errorRate: 0.5, errorsFromMinuteAfterShift: 1 } },
    runs: [deployWith({ mode: 'canary', split }, 'rolled-back')],
  },
  {
    name: `slower-version${suffix(split)}`,
    description: `Canary by ${split} with the comparison on: a version three times slower than the old one, under every alarm, is rolled back during the canary's bake.`,
    environment: { ...TEN_INSTANCES, newVersion: SLOWER },
    deployment: comparison(true),
    runs: [deployWith({ mode: 'canary', split }, 'rolled-back')],
  },
  {
    name: `slower-version${suffix(split)}-no-comparison`,
    description: `The same slower version and canary by ${split}, the comparison off: no alarm sees it, and it is deployed.`,
    environment: { ...TEN_INSTANCES, newVersion: SLOWER },
    deployment: comparison(false),
    runs: [deployWith({ mode: 'canary', split })],
  },
]);
