/**
 * Production scaling out around the shift (a scheduled action, a target tracking policy on rising load)
 * after match-production-capacity has run: the instances still Pending when enter-standby parked the old
 * fleet came InService next to the new version, the wait for the old fleet's Standby gave up after 15
 * minutes, and a good version was rolled back (found in review).
 */
import { AutoScalingClient, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { KEY_STATES } from '../../lambdas/shared/contract';
import { simulate } from '../../simulator/engine/simulation';
import type { Scenario } from '../../simulator/scenarios/catalog';

const scaleProductionTo = (desired: number) => async (): Promise<void> => {
  await new AutoScalingClient({ region: 'us-east-1' }).send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: 'webapp-blue',
      DesiredCapacity: desired,
      MaxSize: desired,
    }),
  );
};

describe('production scales out as the shift starts', () => {
  it('a good version is not rolled back because production grew after its capacity was matched', async () => {
    const scenario: Scenario = {
      name: 'scale-out-at-shift',
      description: 'Production is scaled from 3 to 6 as the new group is attached to the main target group.',
      environment: { capacity: { capacityPerInstance: 10 } },
      traffic: { kind: 'constant', requestsPerSecond: 24 },
      runs: [
        {
          input: { amiId: '{next}' },
          expectedOutcome: 'succeeded',
          ownerActions: [{ state: KEY_STATES.shiftStarts, act: scaleProductionTo(6) }],
        },
      ],
    };
    const report = await simulate({ scenario: scenario.name, seed: 1, windowMinutes: 10 }, { scenario });
    const [execution] = report.executions;
    expect({ outcome: execution?.outcome, message: execution?.message }).toEqual({
      outcome: 'succeeded',
      message: expect.anything(),
    });
  }, 120_000);
});
