/**
 * A mixed instances policy with instance weighting counts desired capacity in units, not instances
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups-instance-weighting.html),
 * while the waits and the capacity match count instances: every deployment used to abort at the 20-minute
 * deadline. Refused up front now, or counted in units: never a 20-minute abort (found in review).
 */
import { simulate } from '../../simulator/engine/simulation';
import type { Scenario } from '../../simulator/scenarios/catalog';

const WEIGHTED = {
  overrides: [
    { instanceType: 't3.large', weightedCapacity: 2 },
    { instanceType: 't3.xlarge', weightedCapacity: 4 },
  ],
};

describe('mixed instances policy with instance weights', () => {
  it('deploys (or refuses up front), rather than aborting at the wait’s deadline', async () => {
    const scenario: Scenario = {
      name: 'weighted-mixed-instances',
      description: 'Both groups run a mixed instances policy whose instance types weigh 2 and 4 units.',
      environment: {
        activeGroup: { mixedInstancesPolicy: WEIGHTED },
        standbyGroup: { mixedInstancesPolicy: WEIGHTED },
      },
      runs: [{ input: { amiId: '{next}' }, expectedOutcome: 'succeeded' }],
    };
    const report = await simulate({ scenario: scenario.name, seed: 1, windowMinutes: 5 }, { scenario });
    const [execution] = report.executions;
    expect({ outcome: execution?.outcome, message: execution?.message }).toEqual({
      outcome: expect.stringMatching(/^(succeeded|rejected)$/),
      message: expect.anything(),
    });
  }, 120_000);
});
