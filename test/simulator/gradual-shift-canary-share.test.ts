import { simulate } from '../../simulator/engine/simulation';
import { findScenario } from '../../simulator/scenarios/catalog';

/**
 * Found in review: by instances, a canary's share is not held while it bakes; on a rising load the new version
 * takes a growing part of production, the opposite of what a canary is for.
 *
 * The new group keeps its scaling by instances (docs/design.md#gradual-shift: "its policy reads the main
 * target group, whose load its instances share"), while the old fleet's is suspended from the first park.
 * So every scale-out the rising load calls for lands on the new version: here (8 instances a side, target
 * tracking on requests per target on both groups, the rising daily load of
 * test/simulator/gradual-shift-scaling.test.ts, a 30-minute bake) webapp-green goes 1 → 2 → 3 → 4 → 5 → 6
 * instances while webapp-blue stays at 7, and the "10 %" canary serves 30.4 % of the bake's requests,
 * 6 of 13 targets (46 %) by its end; with a 60-minute bake 38.7 %, 7 of 14 at the peak. A bad version reaches
 * three to five times the users the team configured before the bake judges it. By weight the share is exact
 * (both groups' scaling held).
 */

it('a 10 % canary by instances serves about 10 % of requests through a 30-minute bake on a rising load', async () => {
  const base = findScenario('canary');
  const report = await simulate(
    {
      scenario: 'canary',
      seed: 1,
      instances: 8,
      windowMinutes: 5,
      trafficProfile: { kind: 'daily', trough: 10, peak: 70, phase: 0.25, periodSeconds: 2 * 3600 },
      capacityPerInstance: 10,
      scalingPolicy: {
        name: 'target-tracking-requests',
        metric: 'ALBRequestCountPerTarget',
        targetValue: 300,
      },
    },
    {
      scenario: {
        ...base,
        deployment: () => ({ shift: { mode: 'canary', split: 'instances', bakeMinutes: 30 } }),
      },
    },
  );
  expect(report.executions[0].outcome).toBe('succeeded');
  const bake = report.trafficSteps.find((step) => step.step === 1);
  const share = bake?.byVersion['ami-0a1b2c3d4e5f60002']?.share ?? 0;
  // One instance of 8 is 11 %; rounding aside, the canary should stay near its 10 %. Today: 0.304.
  expect(share).toBeLessThanOrEqual(0.15);
}, 180_000);
