/**
 * Review of issue 10: a mixed instances policy's override may carry its own LaunchTemplateSpecification
 * (API_LaunchTemplateOverrides: "Provides a launch template for the specified instance type or set of
 * instance requirements", https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchTemplateOverrides.html),
 * with its own Version. The pre-flight refuses overrides naming *another* template, but accepts one naming
 * the policy's own template at a pinned version ("1", or `$Default`), and pointGroupAt sends it back as it
 * was: those instance types keep launching the old AMI after the deployment "succeeded".
 */
import {
  AutoScalingClient,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { pointGroupAt } from '../../lambdas/shared/aws/auto-scaling';
import { launchTemplateOf } from '../../lambdas/shared/group-template';

const TEMPLATE = { LaunchTemplateId: 'lt-0123456789abcdef0', LaunchTemplateName: 'webapp' };

/** A group as DescribeAutoScalingGroups describes it: the arm64 type launches from the same template, pinned. */
const group = (pinned: string): AutoScalingGroup =>
  ({
    AutoScalingGroupName: 'webapp-green',
    MixedInstancesPolicy: {
      LaunchTemplate: {
        LaunchTemplateSpecification: { ...TEMPLATE, Version: '$Default' },
        Overrides: [
          { InstanceType: 't3.micro' },
          { InstanceType: 't4g.micro', LaunchTemplateSpecification: { ...TEMPLATE, Version: pinned } },
        ],
      },
      InstancesDistribution: { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 50 },
    },
  }) as AutoScalingGroup;

const asg = mockClient(AutoScalingClient);
afterAll(() => asg.restore());
beforeEach(() => {
  asg.reset();
  asg.on(UpdateAutoScalingGroupCommand).resolves({});
});

/**
 * Either the group is refused up front (launchTemplateOf throws, as for an override naming another
 * template), or every instance type launches the new version after pointGroupAt.
 */
async function everyTypeGetsTheNewVersion(described: AutoScalingGroup): Promise<void> {
  try {
    launchTemplateOf(described);
  } catch (error) {
    expect((error as Error).name).toBe('UnsupportedGroupError');
    return;
  }
  await pointGroupAt(described, TEMPLATE.LaunchTemplateId, 7, { min: 3, desired: 3, max: 6 });
  const sent = asg.commandCalls(UpdateAutoScalingGroupCommand)[0]?.args[0].input;
  const policy = sent?.MixedInstancesPolicy?.LaunchTemplate;
  expect(policy?.LaunchTemplateSpecification?.Version).toBe('7');
  for (const override of policy?.Overrides ?? []) {
    const own = override.LaunchTemplateSpecification;
    if (own)
      expect({ type: override.InstanceType, version: own.Version }).toEqual({
        type: override.InstanceType,
        version: '7',
      });
  }
}

describe('issue 10 review: mixed instances override pinned to the policy’s own template', () => {
  it('an override on the same template at version "1" does not keep launching the old AMI', async () => {
    await everyTypeGetsTheNewVersion(group('1'));
  });

  it('an override on the same template at $Default does not keep launching the old AMI', async () => {
    await everyTypeGetsTheNewVersion(group('$Default'));
  });
});
