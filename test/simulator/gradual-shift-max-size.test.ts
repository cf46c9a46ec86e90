import type { AccountSnapshot } from '../../simulator/account/account';
import { simulate } from '../../simulator/engine/simulation';
import { findScenario, type Scenario } from '../../simulator/scenarios/catalog';
import type { SimulationOptions } from '../../simulator/scenarios/options';

/**
 * Production's MaxSize through canaries by instances on a rising load (found in review). The new group used
 * to keep its scaling while the canary baked: it scaled out while most of it waited in Standby, the last
 * share raised MaxSize to bring them back, nothing set it back, and the next deployment copied it: 8 → 9 →
 * 10 over two ordinary deployments, where the team configured 8. The new group's scaling is now held while
 * the shares bake (the share then holds too), and the serving group keeps the MaxSize it had.
 */

const RISING_LOAD: Omit<SimulationOptions, 'scenario'> = {
  seed: 1,
  instances: 8,
  windowMinutes: 10,
  trafficProfile: { kind: 'daily', trough: 10, peak: 70, phase: 0.25, periodSeconds: 2 * 3600 },
  capacityPerInstance: 10,
  scalingPolicy: {
    name: 'target-tracking-requests',
    metric: 'ALBRequestCountPerTarget',
    targetValue: 300,
  },
};

it('two canaries by instances with a scale-out during the bake keep production at the MaxSize it had (8)', async () => {
  const base = findScenario('canary');
  const scenario: Scenario = {
    ...base,
    runs: [
      { input: { amiId: '{next}' }, expectedOutcome: 'succeeded' },
      { input: { amiId: '{third}' }, expectedOutcome: 'succeeded' },
    ],
  };
  let last: AccountSnapshot | undefined;
  const servingMaxAtEachSuccess: number[] = [];
  const report = await simulate(
    { scenario: 'canary', ...RISING_LOAD },
    {
      scenario,
      onSecond: (view) => {
        last = view.account;
      },
      onStateEntered: (state) => {
        if (state !== 'Deployment succeeded' || !last) return;
        const serving = Object.values(last.groups).filter((group) => group.desired > 0);
        servingMaxAtEachSuccess.push(...serving.map((group) => group.max));
      },
    },
  );
  expect(report.executions.map((execution) => execution.outcome)).toEqual(['succeeded', 'succeeded']);
  // Before the fix: [9, 10] (webapp-green desired 9 max 9, then webapp-blue desired 10 max 10).
  expect(servingMaxAtEachSuccess).toEqual([8, 8]);
}, 180_000);
