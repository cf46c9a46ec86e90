import { KEEP_STATES } from '../../lambdas/shared/contract';
import type { AccountSnapshot } from '../../simulator/account/snapshot';
import { simulate, type SimulationReport } from '../../simulator/engine/simulation';

/**
 * The kept fleets (issue 12, items 5 and 7) second by second, beyond what every scenario asserts
 * (test/simulator/scenarios.test.ts): what the account looked like while a fleet was kept.
 */
interface Watched {
  report: SimulationReport;
  /** Each virtual second's state and account. */
  seconds: { at: number; state: string | null; account: AccountSnapshot }[];
  /** Every instance id the account ever had, by group. */
  instanceIds: Record<string, Set<string>>;
  /** Every state entered, by any execution, in order. */
  entered: { state: string; at: number }[];
}

async function watch(scenario: string): Promise<Watched> {
  const seconds: Watched['seconds'] = [];
  const instanceIds: Watched['instanceIds'] = {};
  const entered: Watched['entered'] = [];
  const report = await simulate(
    { scenario, seed: 1 },
    {
      onStateEntered: (state, at) => entered.push({ state, at }),
      onSecond: ({ at, state, account }) => {
        seconds.push({ at, state, account });
        for (const group of Object.values(account.groups)) {
          const ids = (instanceIds[group.name] ??= new Set());
          for (const instance of group.instances) ids.add(instance.id);
        }
      },
    },
  );
  return { report, seconds, instanceIds, entered };
}

const during = (watched: Watched, prefix: string) =>
  watched.seconds.filter(({ state }) => state?.startsWith(prefix) ?? false);

describe('undo-fast', () => {
  let watched: Watched;
  beforeAll(async () => (watched = await watch('undo-fast')), 60_000);

  it('puts the kept instances back in service: blue never had an instance it did not have before the deployment', () => {
    const first = watched.seconds[0].account.groups['webapp-blue'].instances.map((instance) => instance.id);
    expect([...watched.instanceIds['webapp-blue']].sort()).toEqual([...first].sort());
    const last = watched.seconds[watched.seconds.length - 1].account.groups['webapp-blue'];
    expect(last.instances.map((instance) => [instance.id, instance.lifecycleState]).sort()).toEqual(
      [...first].sort().map((id) => [id, 'InService']),
    );
  });

  it('keeps the old fleet in Standby, attached, until the undo; then rolls back, nothing failed', () => {
    const kept = during(watched, KEEP_STATES.oldFleetWait);
    expect(kept.length).toBeGreaterThan(0);
    for (const { account } of kept) {
      const blue = account.groups['webapp-blue'];
      expect(blue.instances.every((i) => i.lifecycleState === 'Standby')).toBe(true);
      expect(blue.trafficSources.length).toBeGreaterThan(0);
    }
    expect(watched.report.executions[0].message).toContain('An operator asked to undo the deployment');
    expect(watched.report.requests.failed).toBe(0);
  });
});

describe('keep-old-fleet-expires', () => {
  it('keeps the old fleet in Standby for the set 15 minutes, then retires it', async () => {
    const watched = await watch('keep-old-fleet-expires');
    const kept = during(watched, KEEP_STATES.oldFleetWait);
    const span = kept[kept.length - 1].at - kept[0].at;
    // The first and the last second seen in the wait: the keep lasted at least this long.
    expect(span).toBeGreaterThanOrEqual(15 * 60 - 1);
    expect(span).toBeLessThan(15 * 60 + 120);
    for (const { account } of kept) {
      expect(account.groups['webapp-blue'].instances).toHaveLength(3);
      expect(account.groups['webapp-blue'].instances.every((i) => i.lifecycleState === 'Standby')).toBe(true);
    }
    // The window-passed milestone says until when.
    const passed = watched.report.events.find((event) => event.detail.milestone === 'window-passed');
    expect(passed?.detail).toMatchObject({ oldFleetKeptUntil: expect.any(String) });
    expect(String(passed?.detail.message)).toContain('is kept in Standby until');
  }, 60_000);
});

describe('keep-failed-fleet', () => {
  it('keeps the rolled-back fleet running, detached from every target group, for the set 20 minutes', async () => {
    const watched = await watch('keep-failed-fleet');
    const kept = during(watched, KEEP_STATES.failedFleetAfterRollback);
    const span = kept[kept.length - 1].at - kept[0].at;
    expect(span).toBeGreaterThanOrEqual(20 * 60 - 1);
    expect(span).toBeLessThan(20 * 60 + 120);
    for (const { account } of kept) {
      const green = account.groups['webapp-green'];
      // Every source it had has left (Removed, as DescribeTrafficSources still shows it for a while).
      expect(green.trafficSources.filter((source) => source.state !== 'Removed')).toEqual([]);
      expect(green.instances.filter((i) => i.lifecycleState === 'InService')).toHaveLength(3);
      // The old fleet serves meanwhile.
      expect(
        account.groups['webapp-blue'].instances.filter((i) => i.lifecycleState === 'InService'),
      ).toHaveLength(3);
    }
    const last = watched.seconds[watched.seconds.length - 1].account.groups['webapp-green'];
    expect(last.instances.filter((i) => i.lifecycleState !== 'Terminated')).toEqual([]);
  }, 60_000);
});

describe('release-during-keep', () => {
  it('a newer release queued during the keep ends it at the next check: the old fleet is retired, the release deploys', async () => {
    const watched = await watch('release-during-keep');
    // The first time each is entered: the first deployment's.
    const entered = (state: string) => watched.entered.find((entry) => entry.state === state)?.at;
    const keptAt = entered(KEEP_STATES.oldFleetWait) ?? NaN;
    const retiredAt = entered('Retire old fleet') ?? NaN;
    // The release started 30 s into the keep: one check interval later at most, plus ListExecutions' lag.
    expect(retiredAt - keptAt).toBeLessThan(30 + 60 + 30);
    expect(watched.report.executions.map((execution) => execution.outcome)).toEqual([
      'succeeded',
      'succeeded',
    ]);
  }, 60_000);
});
