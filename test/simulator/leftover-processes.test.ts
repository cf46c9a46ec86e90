/**
 * Processes an interrupted deployment suspended (and recorded) on the group that now serves must be resumed
 * by the next deployment whatever way it ends: one that aborted before the shift used to leave production
 * running without target tracking (AlarmNotification) and scheduled actions (found in review).
 */
import { SUSPENDED_BY_DEPLOYMENT_TAG } from '../../lambdas/shared/contract/tags';
import type { AccountSnapshot, VersionBehaviour } from '../../simulator/account';
import { simulate } from '../../simulator/engine/simulation';
import type { Scenario } from '../../simulator/scenarios/catalog';

const LEFT = ['AZRebalance', 'AlarmNotification', 'ScheduledActions'];

const scenario = (name: string, newVersion?: VersionBehaviour): Scenario => ({
  name,
  description:
    'An interrupted deployment left its processes suspended on production (blue), recorded as its own; the next deployment ends.',
  environment: {
    activeSuspendedProcesses: LEFT,
    activeGroup: {
      tags: { Application: 'webapp', Color: 'blue', [SUSPENDED_BY_DEPLOYMENT_TAG]: LEFT.join(',') },
    },
    ...(newVersion ? { newVersion } : {}),
  },
  runs: [{ input: { amiId: '{next}' }, expectedOutcome: newVersion ? 'aborted' : 'succeeded' }],
});

async function lastAccount(s: Scenario): Promise<{ account: AccountSnapshot; outcome?: string }> {
  let account: AccountSnapshot | undefined;
  const report = await simulate(
    { scenario: s.name, seed: 1, windowMinutes: 5 },
    { scenario: s, onSecond: (view) => (account = view.account) },
  );
  return {
    account: account as AccountSnapshot,
    outcome: report.executions[0]?.outcome,
  };
}

describe('processes left suspended on production by an interrupted deployment', () => {
  it('an aborted next deployment (new version fails its synthetic checks) resumes them on production', async () => {
    const { account, outcome } = await lastAccount(
      scenario('leftover-on-production-then-abort', { failSyntheticChecks: true }),
    );
    expect(outcome).toBe('aborted');
    // Production (blue) still serves: it must not keep running without target tracking and schedules.
    expect(account.groups['webapp-blue']?.suspendedProcesses).toEqual([]);
    expect(account.groups['webapp-blue']?.tags).not.toHaveProperty(SUSPENDED_BY_DEPLOYMENT_TAG);
  }, 120_000);
});
