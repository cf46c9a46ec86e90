/**
 * Review of issue 10: a mixed instances policy with instance weighting (LaunchTemplateOverrides
 * WeightedCapacity; https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups-instance-weighting.html)
 * counts desired capacity in units, not instances. The README lists mixed instances policies as supported,
 * but the waits (check-instances-in-service) and match-production-capacity count instances against
 * DesiredCapacity: a group whose instance types weigh 2 reaches its desired capacity with half as many
 * instances, the wait never sees "desired" instances, and every deployment aborts after the 20-minute
 * deadline. Either counted in units or refused up front, never a 20-minute abort.
 */
import { simulate } from '../../simulator/engine/simulation';
import type { Scenario } from '../../simulator/scenarios/catalog';

const WEIGHTED = {
  overrides: [
    { instanceType: 't3.large', weightedCapacity: 2 },
    { instanceType: 't3.xlarge', weightedCapacity: 4 },
  ],
};

describe('issue 10 review: mixed instances policy with instance weights', () => {
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
