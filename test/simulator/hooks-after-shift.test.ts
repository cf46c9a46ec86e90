/**
 * The after-shift hooks run beside the window's monitor (docs/hooks.md): the new version serves every request
 * from the shift on, and a slow hook (up to 900 s direct, 86,400 s callback) must not leave it unwatched. A
 * review found them run before the monitor's first check: a bad version served everyone for the hook's 25
 * minutes (7,748 application errors in that run).
 */
import { KEY_STATES } from '../../lambdas/shared/contract';
import { simulate } from '../../simulator/engine/simulation';
import type { Scenario } from '../../simulator/scenarios/catalog';
import { hookFunctionArn } from '../../simulator/scenarios/hooks';

it('a firing alarm rolls back within minutes even while an after-shift hook runs', async () => {
  const arn = hookFunctionArn('load-test');
  const scenario: Scenario = {
    name: 'review:after-shift-unwatched',
    description: 'bad version; a 25-minute after-shift callback hook (a load test) that passes',
    environment: {
      hookFunctions: [{ arn, behaviour: { kind: 'answer-later', afterSeconds: 1500, result: 'pass' } }],
    },
    deployment: () => ({
      hooks: [{ stage: 'after-shift', functionArn: arn, callback: true, timeoutSeconds: 1800 }],
    }),
    runs: [{ input: { amiId: '{next}' }, expectedOutcome: 'rolled-back' }],
  };
  const entered: [string, number][] = [];
  const report = await simulate(
    { scenario: scenario.name, seed: 1, windowMinutes: 30, alarmAt: 0, errorRate: 0.5 },
    { scenario, onStateEntered: (state, at) => entered.push([state, at]) },
  );
  const at = (state: string) => entered.find(([name]) => name === state)?.[1];
  const shifted = at('Milestone: traffic shifted')!;
  const rollbackStarts = at(KEY_STATES.rollback)!;
  expect(report.message).toMatch(/alarms? firing during the rollback window/);
  expect(rollbackStarts - shifted).toBeLessThan(300);
}, 180_000);
