/**
 * Recoveries racing deployments (docs/recovery.md). A recovery of an execution that is not the last to have
 * changed the account (a late or repeated EventBridge delivery, or `npm run ops -- recover --execution
 * <older>`) finds nothing to recover: resuming that execution's clean-up from its old state would roll
 * production back past a later release, or empty the group that now serves (a review found both). And a
 * recovery with nothing to do ends before the guard: it holds back no release, even with `whileDeploying:
 * reject`.
 */
import { KEY_STATES } from '../../lambdas/shared/contract';
import { defaultEnvironment } from '../../simulator/account/environment';
import type { AccountSnapshot } from '../../simulator/account/account';
import { simulate } from '../../simulator/engine/simulation';
import type { Scenario } from '../../simulator/scenarios/catalog';

const environment = defaultEnvironment();
const FIRST = `arn:aws:states:${environment.region}:${environment.accountId}:execution:webapp-blue-green-deployment:deployment-0001`;

/**
 * Deployment 0001 stopped as it enters `stopAt`, its automatic recovery (0002), a release of {third} (0003),
 * then 0001 recovered again (0004), as a late event or an operator would: each execution's outcome, and
 * the account at the end.
 */
async function recoveredAgain(name: string, stopAt: string) {
  const scenario: Scenario = {
    name,
    description: 'stopped, recovered, redeployed, then the old execution recovered again',
    stopAt,
    runs: [
      { input: { amiId: '{next}' }, expectedOutcome: 'failed', expectStoppedAt: stopAt },
      { input: { amiId: '{third}' }, expectedOutcome: 'succeeded' },
      { input: { recoverFrom: FIRST, trigger: 'recovery' }, expectedOutcome: 'succeeded' },
    ],
  };
  let final: AccountSnapshot | undefined;
  const report = await simulate(
    { scenario: scenario.name, seed: 1, windowMinutes: 2 },
    { scenario, onSecond: (view) => (final = view.account) },
  );
  if (!final) throw new Error('the simulation reported no second');
  const outcomes = report.executions.map((execution) => [execution.name, execution.outcome]);
  return { report, outcomes, final };
}

it('a recovery of an old, already recovered execution leaves the later release serving', async () => {
  const { outcomes, final } = await recoveredAgain('stale-recovery', KEY_STATES.window);
  // deployment-0002 is the automatic recovery (rolled back), 0003 deploys {third} to green, 0004 is the
  // second recovery of 0001.
  expect(outcomes.slice(0, 3)).toEqual([
    ['deployment-0001', 'failed'],
    ['deployment-0002', 'rolled-back'],
    ['deployment-0003', 'succeeded'],
  ]);
  const green = final.groups['webapp-green'];
  // The release of deployment-0003 must still serve.
  expect({ fourth: outcomes[3], greenInstances: green.instances.length }).toEqual({
    fourth: ['deployment-0004', 'skipped'],
    greenInstances: 3,
  });
}, 120_000);

it('a recovery of an old execution stopped while preparing does not empty the group that now serves', async () => {
  const { report, outcomes, final } = await recoveredAgain(
    'stale-recovery-abort',
    KEY_STATES.syntheticTargetsHealthy,
  );
  expect(outcomes.slice(0, 3)).toEqual([
    ['deployment-0001', 'failed'],
    ['deployment-0002', 'aborted'],
    ['deployment-0003', 'succeeded'],
  ]);
  expect(outcomes[3]).toEqual(['deployment-0004', 'skipped']);
  // Users must stay served: the group deployment-0003 left serving keeps its instances.
  expect(report.requests.failed).toBe(0);
  expect(final.groups['webapp-green'].instances.length).toBe(3);
}, 120_000);

it('a deployment started 5 s after a rejected one is not refused because of the no-op recovery', async () => {
  const scenario: Scenario = {
    name: 'review:reject-after-failure',
    description: 'a rejected request, then a good one 5 s after it ended',
    deployment: () => ({ whileDeploying: 'reject' }),
    runs: [
      { input: { amiId: 'ami-0000000000000dead' }, expectedOutcome: 'rejected' },
      {
        input: { amiId: '{next}' },
        expectedOutcome: 'succeeded',
        concurrentWithPrevious: true,
        startsWhen: { state: 'Deployment rejected (nothing changed)', afterSeconds: 5 },
      },
    ],
  };
  const report = await simulate({ scenario: scenario.name, seed: 1, windowMinutes: 2 }, { scenario });
  const summary = report.executions.map((execution) => ({
    name: execution.name,
    outcome: execution.outcome,
    message: (execution as { message?: string }).message?.slice(0, 160),
  }));
  // deployment-0002 is the recovery of the rejected request; deployment-0003 the good release.
  expect(summary.find((execution) => execution.name === 'deployment-0003')?.outcome).toBe('succeeded');
}, 120_000);
