/**
 * What the NotReady retrier's FULL jitter (test/state-machine/not-ready-budget.test.ts) did to a user.
 * The target group's deregistration delay is 3,600 s (the longest ALB allows, which the retry policy says it
 * waits out). An operator aborts while the old fleet drains into Standby; the rollback's "Put old fleet back
 * in service" waits (NotReadyError) for the instances still draining, and its 120 jittered retries ran out
 * before the hour did: the deployment ended as manual action needed instead of rolled back (found in review).
 */
import { KEY_STATES, pauseOf } from '../../lambdas/shared/contract';
import { referenceEnvironment } from '../../infra/environment/settings';
import { simulate } from '../../simulator/engine/simulation';
import type { Scenario } from '../../simulator/scenarios/catalog';

it('an abort while the old fleet drains for an hour is rolled back, not left for manual action', async () => {
  const scenario: Scenario = {
    name: 'abort-during-hour-long-drain',
    description: 'Deregistration delay 3,600 s; an operator aborts while the old fleet drains into Standby.',
    environment: { settings: { ...referenceEnvironment, deregistrationDelaySeconds: 3_600 } },
    // The waits for draining cover the hour, as the pre-flight requires of a team with such a delay: only
    // the rollback's NotReady retries are under test.
    deployment: () => ({
      waits: {
        oldFleetInStandby: { intervalSeconds: 30, timeoutSeconds: 3_900 },
        targetGroupsDetached: { intervalSeconds: 30, timeoutSeconds: 3_900 },
      },
    }),
    runs: [
      {
        input: { amiId: '{next}' },
        expectedOutcome: 'rolled-back',
        operatorRequest: { state: pauseOf(KEY_STATES.oldFleetInStandby), group: 'webapp-green' },
      },
    ],
  };
  const report = await simulate({ scenario: scenario.name, seed: 1, windowMinutes: 5 }, { scenario });
  const [execution] = report.executions;
  expect({ outcome: execution?.outcome, message: execution?.message }).toEqual({
    outcome: 'rolled-back',
    message: expect.anything(),
  });
}, 600_000);
