import { simulate, type SimulationReport } from '../../simulator/engine/simulation';
import type { SimulationOptions } from '../../simulator/scenarios/options';
import { findScenario, type Scenario } from '../../simulator/scenarios/catalog';

/**
 * The groups' own scaling through a gradual shift (both found in review; docs/design.md#gradual-shift).
 *
 * By weight, the new version's share reaches it through the synthetic target group, but the new group's
 * target tracking policy (ALBRequestCountPerTarget, the same on both groups as production-shaped groups have
 * it) counts the main target group's requests per target: the more traffic the listeners weight away from
 * main, the emptier main's targets look. Before the fix the new group scaled in while it carried most of the
 * traffic (3 → 2 instances during a 90 % bake, 3,474 capacity errors; on the daily peak 8 → 2 while it
 * served everyone, 4,240), and a sound version was rolled back. Now its scaling is held while the weights
 * move, as the old group's is, and resumed when the listeners are restored.
 */

function withShift(name: string, shift: object): Scenario {
  const base = findScenario(name);
  return {
    ...base,
    deployment: (configured) => ({
      ...(base.deployment ? base.deployment(configured) : {}),
      shift: shift as never,
    }),
  };
}

describe('the new group’s scaling while a share bakes by weight', () => {
  it('a linear shift by weight with target tracking on both groups leaves no user on a fleet too small', async () => {
    const sizes: number[] = [];
    let baking = false;
    const report = await simulate(
      { scenario: 'scale-out-during-window', seed: 1 },
      {
        scenario: withShift('scale-out-during-window', {
          mode: 'linear',
          split: 'weight',
          linearStepPercent: 30,
        }),
        onStateEntered: (state) => {
          baking = state.startsWith('Bake new share');
        },
        onSecond: (view) => {
          const green = view.account.groups['webapp-green'];
          if (baking && green) sizes.push(green.desired);
        },
      },
    );
    // Before the fix: 3,474 capacity errors and a rollback by the synthetic target group's 5xx alarm.
    expect(report.requests.capacityErrors).toBe(0);
    expect(report.executions[0].outcome).toBe('succeeded');
    // Before the fix: the new group's desired capacity falls from 3 to 2 while it serves 90 % of the users.
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('daily-peak, linear by weight: the new group is not scaled in to its minimum while it serves everyone', async () => {
    const report = await simulate(
      { scenario: 'daily-peak', seed: 1 },
      { scenario: withShift('daily-peak', { mode: 'linear', split: 'weight', linearStepPercent: 30 }) },
    );
    // Before the fix: 4,240 capacity errors; rolled back by the 5xx alarms of both target groups.
    expect(report.requests.capacityErrors).toBe(0);
    expect(report.executions[0].outcome).toBe('succeeded');
  }, 60_000);

  it.each([[{ mode: 'all-at-once' }], [{ mode: 'linear', split: 'instances', linearStepPercent: 30 }]])(
    'the control: the same account and traffic with %j, no capacity error',
    async (shift) => {
      const report = await simulate(
        { scenario: 'scale-out-during-window', seed: 1 },
        { scenario: withShift('scale-out-during-window', shift) },
      );
      expect(report.requests.capacityErrors).toBe(0);
      expect(report.executions[0].outcome).toBe('succeeded');
    },
    60_000,
  );
});

/**
 * By instances, the new group keeps its own scaling while a share bakes (its instances serve in the main
 * target group, whose per-target count its policy reads). On a rising load it raises its desired capacity
 * while most of it waits in Standby, and the 100 % step's ExitStandby would take desired above MaxSize,
 * which AWS refuses. Before the fix the deployment ended as manual action needed, and so did the rollback's
 * scale-group-to-zero and the automatic recovery, the new group left with 9 or 12 instances. Now MaxSize is
 * raised to make room first.
 */

const RISING_LOAD: Omit<SimulationOptions, 'scenario'> = {
  seed: 1,
  instances: 8,
  trafficProfile: { kind: 'daily', trough: 10, peak: 70, phase: 0.25, periodSeconds: 2 * 3600 },
  capacityPerInstance: 10,
  scalingPolicy: {
    name: 'target-tracking-requests',
    metric: 'ALBRequestCountPerTarget',
    targetValue: 300,
  },
};

function problems(report: SimulationReport): string[] {
  return [
    ...report.executions
      .filter((execution) => execution.outcome !== execution.expectedOutcome)
      .map((execution) => `${execution.name}: ${execution.outcome}: ${execution.message ?? ''}`),
    ...report.unsettled,
  ];
}

describe('a scale-out of the new group while a share bakes, split by instances', () => {
  it.each([['canary'], ['linear']])(
    '%s on a rising daily load with target tracking on both groups deploys, leaving the account settled',
    async (scenario) => {
      const report = await simulate({ scenario, ...RISING_LOAD });
      expect(report.requests.failed).toBe(0);
      // Before the fix: ["deployment-0001: failed: MANUAL ACTION NEEDED … ExitStandby failed: ValidationError …",
      // "deployment-0002: failed: …", "webapp-green serves nothing but keeps 9 instance(s), desired 2"].
      expect(problems(report)).toEqual([]);
      expect(report.executions[0].outcome).toBe('succeeded');
    },
    60_000,
  );

  it('by weight, the same load and policies deploy (the control: the new group parks nothing)', async () => {
    const report = await simulate({ scenario: 'canary-by-weight', ...RISING_LOAD });
    expect(problems(report)).toEqual([]);
  }, 60_000);
});
