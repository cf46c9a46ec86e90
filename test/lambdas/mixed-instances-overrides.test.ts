/**
 * A mixed instances policy's override may carry its own LaunchTemplateSpecification, with its own Version
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchTemplateOverrides.html). One naming the
 * policy's own template at a pinned version ("1", or `$Default`) used to be accepted and sent back as it
 * was: those instance types kept launching the old AMI after a deployment that "succeeded" (found in review).
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

describe('mixed instances override pinned to the policy’s own template', () => {
  it('an override on the same template at version "1" does not keep launching the old AMI', async () => {
    await everyTypeGetsTheNewVersion(group('1'));
  });

  it('an override on the same template at $Default does not keep launching the old AMI', async () => {
    await everyTypeGetsTheNewVersion(group('$Default'));
  });
});
