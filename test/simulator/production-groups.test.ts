/**
 * What the production-shaped group and capacity scenarios (simulator/scenarios/production-groups.ts) must
 * show beyond their outcome: the account as it was at the moments that matter.
 */
import type { AccountSnapshot } from '../../simulator/account';
import { DEFAULT_AMIS } from '../../simulator/account';
import { simulate, type SimulationReport } from '../../simulator/engine/simulation';

interface Observed {
  report: SimulationReport;
  /** The account each virtual second, with the state the execution was in. */
  seconds: { at: number; state: string | null; account: AccountSnapshot }[];
}

async function observe(scenario: string): Promise<Observed> {
  const seconds: Observed['seconds'] = [];
  const report = await simulate(
    { scenario, seed: 1 },
    { onSecond: (view) => seconds.push({ at: view.at, state: view.state, account: view.account }) },
  );
  return { report, seconds };
}

/** The account in the second the execution entered `state` (the timeline says when). */
function whenEntered(observed: Observed, state: string): AccountSnapshot | undefined {
  const at = observed.report.timeline.find((entry) => entry.state === state)?.at;
  return at === undefined ? undefined : observed.seconds.find((second) => second.at >= at)?.account;
}

const last = (observed: Observed): AccountSnapshot =>
  (observed.seconds.at(-1) as Observed['seconds'][0]).account;
const inService = (account: AccountSnapshot, group: string) =>
  (account.groups[group]?.instances ?? []).filter((instance) => instance.lifecycleState === 'InService');

describe('production-shaped groups', () => {
  it('mixed-instances: every instance type and purchase option of the new group runs the new AMI', async () => {
    const observed = await observe('mixed-instances');
    const green = inService(last(observed), 'webapp-green');
    expect(new Set(green.map((instance) => instance.amiId))).toEqual(new Set([DEFAULT_AMIS.next]));
    // One On-Demand as base, then half Spot: the distribution was kept.
    expect(green.some((instance) => instance.purchaseOption === 'spot')).toBe(true);
    expect(green.some((instance) => instance.purchaseOption === undefined)).toBe(true);
  }, 60_000);

  it('team-suspended-processes: the team’s AZRebalance stays suspended, the deployment’s own are resumed', async () => {
    const account = last(await observe('team-suspended-processes'));
    expect(account.groups['webapp-blue']?.suspendedProcesses).toEqual(['AZRebalance']);
    expect(account.groups['webapp-green']?.suspendedProcesses).toEqual([]);
    expect(account.groups['webapp-blue']?.tags).not.toHaveProperty('blue-green:suspended-processes');
  }, 60_000);

  it('lifecycle-hook-abandons: aborts once the hook abandons, not at the wait’s 20-minute deadline', async () => {
    const { report } = await observe('lifecycle-hook-abandons');
    const [execution] = report.executions;
    expect(execution?.message).toMatch(/abandoned by a launch lifecycle hook/);
    const aborted = report.timeline.find((entry) => entry.state === 'Abort: remove the new version')?.at;
    expect(aborted).toBeLessThan(5 * 60);
  }, 60_000);

  it('lifecycle-hook-outlasts-wait: refused with the timeout to set, before anything changed', async () => {
    const { report } = await observe('lifecycle-hook-outlasts-wait');
    expect(report.executions[0]?.message).toMatch(
      /Set waits\.instancesInService\.timeoutSeconds to at least 3900/,
    );
  }, 60_000);
});

describe('capacity through the deployment', () => {
  it('scale-out-during-prepare: the new group serves with 6, in service, from the first second of the shift', async () => {
    const observed = await observe('scale-out-during-prepare');
    const shift = whenEntered(observed, 'Attach new group to main target group');
    expect(shift).toBeDefined();
    expect(inService(shift as AccountSnapshot, 'webapp-green')).toHaveLength(6);
    expect(observed.report.requests.capacityErrors).toBe(0);
  }, 60_000);

  it('rollback-after-scale-out: the old fleet is back at the new fleet’s size, healthy, before the new group leaves', async () => {
    const observed = await observe('rollback-after-scale-out');
    const account = whenEntered(observed, 'Rollback: detach new group from target groups') as AccountSnapshot;
    expect(account).toBeDefined();
    const serving = inService(account, 'webapp-green').length;
    const healthyOld = (
      account.targetGroups[
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-main/0123456789abcdef'
      ]?.targets ?? []
    )
      .filter((target) => target.state === 'healthy')
      .filter((target) => inService(account, 'webapp-blue').some((instance) => instance.id === target.id));
    expect(serving).toBeGreaterThan(3);
    expect(healthyOld.length).toBeGreaterThanOrEqual(serving);
  }, 60_000);
});
