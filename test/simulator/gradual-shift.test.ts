import { KEY_STATES, SHIFT_STATES } from '../../lambdas/shared/contract';
import { DEFAULT_AMIS } from '../../simulator/account/environment';
import { simulate, type SimulationReport } from '../../simulator/engine/simulation';

/**
 * Gradual shifts end to end on the synthesized definition (docs/design.md#gradual-shift): the share of
 * production traffic each version serves while each share bakes, the listeners restored exactly, the old
 * version's share returned first on a rollback, and the comparison with the old version.
 */

const OLD = DEFAULT_AMIS.current;
const NEW = DEFAULT_AMIS.next;

const runs = new Map<string, Promise<SimulationReport>>();
function run(scenario: string): Promise<SimulationReport> {
  if (!runs.has(scenario)) runs.set(scenario, simulate({ scenario, seed: 1 }));
  return runs.get(scenario) as Promise<SimulationReport>;
}

/** Each bake's share of the new version, then the window's, as the JSON report gives them. */
async function newShares(scenario: string): Promise<[number | 'window', number][]> {
  const report = await run(scenario);
  return report.trafficSteps.map((step) => [step.step, step.byVersion[NEW]?.share ?? 0]);
}

function entered(report: SimulationReport, state: string): number {
  const at = report.timeline.findIndex((entry) => entry.state === state);
  if (at < 0) throw new Error(`never entered "${state}"`);
  return at;
}

describe('a canary gives the new version its share, baked, then all of the traffic', () => {
  it.each([['canary'], ['canary-by-weight']])(
    '%s: 10% while it bakes, then 100% in the window',
    async (scenario) => {
      expect(await newShares(scenario)).toEqual([
        [1, 0.1],
        ['window', 1],
      ]);
      const report = await run(scenario);
      const bake = report.trafficSteps[0];
      // The bake lasts its five minutes, and the old version serves the rest meanwhile.
      expect(bake.toSecond - bake.fromSecond).toBeGreaterThanOrEqual(300);
      expect(bake.byVersion[OLD]?.share).toBe(0.9);
    },
  );

  it('by weight: an exact share of requests, and the listener ends exactly as it began', async () => {
    const report = await run('canary-by-weight');
    expect(report.trafficSteps[0].byVersion[NEW]?.served).toBe(report.trafficSteps[0].requests / 10);
    expect(report.unsettled).toEqual([]);
    expect(report.apiCalls.byOperation['elasticloadbalancing:ModifyListener']).toBe(3);
  });

  it('by instances: no listener change at all', async () => {
    const report = await run('canary');
    expect(report.apiCalls.byOperation['elasticloadbalancing:ModifyListener']).toBeUndefined();
  });
});

describe('linear shifts step by step, each share baked', () => {
  it('by weight: 25%, 50%, 75%, then all', async () => {
    expect(await newShares('linear-by-weight')).toEqual([
      [1, 0.25],
      [2, 0.5],
      [3, 0.75],
      ['window', 1],
    ]);
  });

  it('by instances: the shares in whole instances of ten (a quarter rounds up to three)', async () => {
    expect(await newShares('linear')).toEqual([
      [1, 0.3],
      [2, 0.5],
      [3, 0.8],
      ['window', 1],
    ]);
  });
});

describe('a failure during a bake rolls back, returning the old version its share first', () => {
  it('by weight: the listeners are restored before anything else of the rollback', async () => {
    const report = await run('canary-rollback-by-weight');
    expect(report.executions[0].outcome).toBe('rolled-back');
    expect(report.executions[0].message).toMatch(/alarm/i);
    const rollback = entered(report, KEY_STATES.rollback);
    const listeners = entered(report, "Rollback: return listeners' default actions as they were");
    expect(listeners).toBeGreaterThan(rollback);
    expect(listeners).toBeLessThan(entered(report, 'Put old fleet back in service'));
    expect(report.unsettled).toEqual([]);
    // Caught during the canary's bake: the window never opened.
    expect(report.timeline.some((entry) => entry.state === KEY_STATES.window)).toBe(false);
  });

  it('by instances: the parked share of the old fleet serves again, then the new group leaves', async () => {
    const report = await run('canary-rollback');
    expect(report.executions[0].outcome).toBe('rolled-back');
    expect(entered(report, SHIFT_STATES.parkOldShare)).toBeLessThan(entered(report, KEY_STATES.rollback));
    expect(report.finalState.activeInstances).toBe(10);
    expect(report.finalState.standbyGroupSize).toBe(0);
    expect(report.requests.failed).toBe(0);
  });
});

describe('the comparison with the old version catches what no alarm does', () => {
  it.each([['slower-version'], ['slower-version-by-weight']])(
    '%s rolls back during the canary, with both versions’ figures in the reason',
    async (scenario) => {
      const report = await run(scenario);
      expect(report.executions[0].outcome).toBe('rolled-back');
      expect(report.executions[0].message).toMatch(
        /does worse than the old one: average response time 60\.0 ms against 20\.0 ms \(at most \+25% allowed\)/,
      );
      expect(report.requests.appErrors).toBe(0);
    },
  );

  it.each([['slower-version-no-comparison'], ['slower-version-by-weight-no-comparison']])(
    '%s: with the comparison off the same version is deployed',
    async (scenario) => {
      const report = await run(scenario);
      expect(report.executions[0].outcome).toBe('succeeded');
    },
  );
});
