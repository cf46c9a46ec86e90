import {
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { createHarness, rejection, type Harness } from './harness';

/** docs/aws-facts/auto-scaling-mixed-instances.md */
describe('mixed instances policies', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  const describe_ = async (name: string) =>
    (await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })))
      .AutoScalingGroups?.[0];

  it('launches On-Demand up to the base, then the percentage above it, with the overrides’ types', async () => {
    h = createHarness({
      standbyGroup: {
        mixedInstancesPolicy: {
          overrides: [
            { instanceType: 'm5.large' },
            { instanceType: 'm6i.large' },
            { instanceType: 'c5.large' },
          ],
          instancesDistribution: { onDemandBaseCapacity: 2, onDemandPercentageAboveBaseCapacity: 50 },
        },
      },
    });
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, MaxSize: 6, DesiredCapacity: 6 }),
    );
    h.run(1);
    const instances = h.group(h.green).instances;
    // 2 base On-Demand + 50 % of the 4 above (2 On-Demand, 2 Spot).
    expect(instances.filter((i) => i.purchaseOption === 'spot')).toHaveLength(2);
    const described = (await describe_(h.green))?.Instances ?? [];
    // On-Demand takes the first override (prioritized); Spot the lowest-price pools in turn.
    const byId = new Map(described.map((i) => [i.InstanceId, i.InstanceType]));
    const onDemandTypes = instances.filter((i) => i.purchaseOption !== 'spot').map((i) => byId.get(i.id));
    expect(new Set(onDemandTypes)).toEqual(new Set(['m5.large']));
    const spotTypes = instances.filter((i) => i.purchaseOption === 'spot').map((i) => byId.get(i.id));
    expect(spotTypes).toEqual(['m5.large', 'm6i.large']);
    const details = await h.asg.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: instances.map((i) => i.id) }),
    );
    expect(details.AutoScalingInstances?.every((i) => i.InstanceType !== undefined)).toBe(true);
  });

  it('counts capacity in weights and reports each instance’s WeightedCapacity', async () => {
    h = createHarness({
      standbyGroup: {
        mixedInstancesPolicy: {
          overrides: [
            { instanceType: 'm5.xlarge', weightedCapacity: 2 },
            { instanceType: 'm5.large', weightedCapacity: 1 },
          ],
        },
      },
    });
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, MaxSize: 6, DesiredCapacity: 6 }),
    );
    h.run(1);
    const described = (await describe_(h.green))?.Instances ?? [];
    expect(described).toHaveLength(3);
    expect(described.every((i) => i.WeightedCapacity === '2' && i.InstanceType === 'm5.xlarge')).toBe(true);
  });

  it('UpdateAutoScalingGroup changes only the parts of the policy it gives', async () => {
    h = createHarness({
      standbyGroup: {
        mixedInstancesPolicy: {
          overrides: [{ instanceType: 'm5.large' }],
          instancesDistribution: { onDemandBaseCapacity: 1, spotAllocationStrategy: 'capacity-optimized' },
        },
      },
    });
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: h.green,
        MixedInstancesPolicy: { InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 25 } },
      }),
    );
    expect((await describe_(h.green))?.MixedInstancesPolicy).toEqual({
      LaunchTemplate: {
        LaunchTemplateSpecification: {
          LaunchTemplateId: h.environment.groups.green.launchTemplateId,
          LaunchTemplateName: h.environment.groups.green.launchTemplateName,
          Version: '1',
        },
        Overrides: [{ InstanceType: 'm5.large' }],
      },
      InstancesDistribution: {
        OnDemandAllocationStrategy: 'prioritized',
        OnDemandBaseCapacity: 1,
        OnDemandPercentageAboveBaseCapacity: 25,
        SpotAllocationStrategy: 'capacity-optimized',
      },
    });
  });

  it('a group without a policy needs the policy’s launch template to get one; a launch template replaces it', async () => {
    h = createHarness();
    const refused = await rejection(
      h.asg.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: h.green,
          MixedInstancesPolicy: { InstancesDistribution: { OnDemandBaseCapacity: 1 } },
        }),
      ),
    );
    expect(refused.name).toBe('ValidationError');
    const template = h.environment.groups.green.launchTemplateId;
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: h.green,
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: template, Version: '$Latest' },
            Overrides: [{ InstanceType: 'c6i.large' }],
          },
          InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 0 },
        },
        MaxSize: 1,
        DesiredCapacity: 1,
      }),
    );
    h.run(1);
    const green = await describe_(h.green);
    expect(green?.LaunchTemplate).toBeUndefined();
    expect(green?.Instances?.map((i) => i.InstanceType)).toEqual(['c6i.large']);
    expect(h.group(h.green).instances.map((i) => i.purchaseOption)).toEqual(['spot']);
    const invalid = await rejection(
      h.asg.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: h.green,
          MixedInstancesPolicy: { InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 101 } },
        }),
      ),
    );
    expect(invalid.name).toBe('ValidationError');
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: h.green,
        LaunchTemplate: { LaunchTemplateId: template, Version: '1' },
      }),
    );
    const back = await describe_(h.green);
    expect(back?.MixedInstancesPolicy).toBeUndefined();
    expect(back?.LaunchTemplate?.Version).toBe('1');
    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.green, DesiredCapacity: 0 }));
  });
});
