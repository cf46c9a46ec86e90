/**
 * A group with attribute-based instance type selection can count its desired capacity in vCPUs or MiB of
 * memory (`DesiredCapacityType` `vcpu` or `memory-mib`,
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AutoScalingGroup.html); the waits, the capacity
 * match and the rollback count instances. Such a group used to pass the refusal and abort a good version at
 * the in-service wait's deadline (found in review). Refused up front now, like instance weights.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { launchTemplateOf } from '../../lambdas/shared/group-template';

function groupCountingIn(unit: string): AutoScalingGroup {
  return {
    AutoScalingGroupName: 'webapp-green',
    MinSize: 4,
    MaxSize: 16,
    DesiredCapacity: 8,
    DesiredCapacityType: unit,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a'],
    HealthCheckType: 'ELB',
    CreatedTime: new Date(0),
    MixedInstancesPolicy: {
      LaunchTemplate: {
        LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '$Default' },
        Overrides: [{ InstanceRequirements: { VCpuCount: { Min: 2, Max: 2 }, MemoryMiB: { Min: 4096 } } }],
      },
    },
  };
}

describe.each(['vcpu', 'memory-mib'])('a group whose desired capacity counts %s', (unit) => {
  it('is refused up front, as instance weights are', () => {
    expect(() => launchTemplateOf(groupCountingIn(unit))).toThrow(
      expect.objectContaining({ name: 'UnsupportedGroupError' }),
    );
  });
});

it('a group counting units (instances) is supported', () => {
  expect(launchTemplateOf(groupCountingIn('units'))).toMatchObject({
    LaunchTemplateId: 'lt-0123456789abcdef0',
  });
});
