import {
  AttachLoadBalancerTargetGroupsCommand,
  AttachTrafficSourcesCommand,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  DescribeTrafficSourcesCommand,
  DetachTrafficSourcesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import { DEFAULT_AMIS } from '../../../simulator/account';
import { createHarness, rejection, type Harness } from './harness';

describe('Auto Scaling API', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });
  afterEach(() => h.dispose());

  const group = async (name: string) =>
    (await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })))
      .AutoScalingGroups?.[0];
  const sources = async (name: string) =>
    (await h.asg.send(new DescribeTrafficSourcesCommand({ AutoScalingGroupName: name }))).TrafficSources?.map(
      (s) => `${s.Identifier === h.main ? 'main' : 'synthetic'}:${s.State}`,
    );

  describe('DescribeAutoScalingGroups', () => {
    it('takes more than 50 names only when MaxRecords is raised, as far as MaxRecords', async () => {
      const names = (count: number) => [h.blue, ...Array.from({ length: count - 1 }, (_, i) => `other-${i}`)];
      const refused = await rejection(
        h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names(51) })),
      );
      expect(refused.name).toBe('ValidationError');
      const answer = await h.asg.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names(100), MaxRecords: 100 }),
      );
      expect(answer.AutoScalingGroups?.map((g) => g.AutoScalingGroupName)).toEqual([h.blue]);
      const beyond = await rejection(
        h.asg.send(
          new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names(61), MaxRecords: 60 }),
        ),
      );
      expect(beyond.name).toBe('ValidationError');
    });

    it('names the launch template of a group with a mixed instances policy inside the policy', async () => {
      h.dispose();
      h = createHarness({
        customize: (env) =>
          Object.assign(env.groups.green, { mixedInstancesPolicy: true, launchTemplateVersion: '$Latest' }),
      });
      const green = await group(h.green);
      expect(green?.LaunchTemplate).toBeUndefined();
      // The policy as DescribeAutoScalingGroups answers it: every InstancesDistribution field with AWS's
      // default (docs/aws-facts/auto-scaling-mixed-instances.md#describe).
      expect(green?.MixedInstancesPolicy).toEqual({
        LaunchTemplate: {
          LaunchTemplateSpecification: {
            LaunchTemplateId: h.environment.groups.green.launchTemplateId,
            LaunchTemplateName: h.environment.groups.green.launchTemplateName,
            Version: '$Latest',
          },
        },
        InstancesDistribution: {
          OnDemandAllocationStrategy: 'prioritized',
          OnDemandBaseCapacity: 0,
          OnDemandPercentageAboveBaseCapacity: 100,
          SpotAllocationStrategy: 'lowest-price',
          SpotInstancePools: 2,
        },
      });
    });

    it('describes the steady state: blue serving, green empty', async () => {
      const blue = await group(h.blue);
      expect(blue).toMatchObject({
        MinSize: 2,
        DesiredCapacity: 3,
        MaxSize: 6,
        HealthCheckType: 'ELB',
        HealthCheckGracePeriod: 60,
        TargetGroupARNs: [h.main],
        TrafficSources: [{ Identifier: h.main, Type: 'elbv2' }],
        LaunchTemplate: { LaunchTemplateId: h.environment.groups.blue.launchTemplateId, Version: '1' },
      });
      expect(
        blue?.Instances?.map((i) => [i.LifecycleState, i.HealthStatus, i.LaunchTemplate?.Version]),
      ).toEqual([
        ['InService', 'Healthy', '1'],
        ['InService', 'Healthy', '1'],
        ['InService', 'Healthy', '1'],
      ]);
      expect(blue?.Tags).toContainEqual(expect.objectContaining({ Key: 'Application', Value: 'webapp' }));
      expect(await group(h.green)).toMatchObject({
        MinSize: 0,
        DesiredCapacity: 0,
        MaxSize: 0,
        Instances: [],
        TargetGroupARNs: [],
      });
    });

    it('paginates with MaxRecords/NextToken and enforces AWS’s limits', async () => {
      const first = await h.asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 1 }));
      expect(first.AutoScalingGroups?.map((g) => g.AutoScalingGroupName)).toEqual([h.blue]);
      const second = await h.asg.send(
        new DescribeAutoScalingGroupsCommand({ MaxRecords: 1, NextToken: first.NextToken }),
      );
      expect(second.AutoScalingGroups?.map((g) => g.AutoScalingGroupName)).toEqual([h.green]);
      expect(second.NextToken).toBeUndefined();

      const names: string[] = [];
      for await (const page of paginateDescribeAutoScalingGroups({ client: h.asg, pageSize: 1 }, {})) {
        names.push(...(page.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName as string));
      }
      expect(names).toEqual([h.blue, h.green]);

      const tooMany = await rejection(
        h.asg.send(
          new DescribeAutoScalingGroupsCommand({
            AutoScalingGroupNames: Array.from({ length: 51 }, (_, i) => `g${i}`),
          }),
        ),
      );
      expect(tooMany.name).toBe('ValidationError');
      expect(
        (await rejection(h.asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 101 })))).name,
      ).toBe('ValidationError');
      expect(
        (await rejection(h.asg.send(new DescribeAutoScalingGroupsCommand({ NextToken: 'bogus' })))).name,
      ).toBe('InvalidNextToken');
    });

    it('filters by tag', async () => {
      const tagged = await h.asg.send(
        new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:Color', Values: ['green'] }] }),
      );
      expect(tagged.AutoScalingGroups?.map((g) => g.AutoScalingGroupName)).toEqual([h.green]);
    });
  });

  describe('sizing', () => {
    it('rejects a desired capacity outside the new bounds with AWS’s text', async () => {
      const error = await rejection(
        h.asg.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: h.blue,
            MinSize: 4,
            MaxSize: 10,
            DesiredCapacity: 2,
          }),
        ),
      );
      expect([error.name, error.message]).toEqual([
        'ValidationError',
        'Desired capacity:2 must be between the specified min size:4 and max size:10',
      ]);
    });

    it('raising MinSize or lowering MaxSize without DesiredCapacity moves desired into range', async () => {
      await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 5 }));
      expect((await group(h.blue))?.DesiredCapacity).toBe(5);
      await h.asg.send(
        new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 0, MaxSize: 1 }),
      );
      expect((await group(h.blue))?.DesiredCapacity).toBe(1);
    });

    it('SetDesiredCapacity outside [min, max] is refused; scaling to zero needs MinSize 0', async () => {
      const above = await rejection(
        h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 7 })),
      );
      expect(above.message).toBe(
        'New SetDesiredCapacity value 7 is above max value 6 for the AutoScalingGroup.',
      );
      const below = await rejection(
        h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 0 })),
      );
      expect(below.message).toBe(
        'New SetDesiredCapacity value 0 is below min value 2 for the AutoScalingGroup.',
      );
    });

    it('launches with the launch template version resolved at launch time ($Latest)', async () => {
      const ltId = h.environment.groups.green.launchTemplateId;
      await h.asg.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: h.green,
          LaunchTemplate: { LaunchTemplateId: ltId, Version: '$Latest' },
          MinSize: 0,
          MaxSize: 2,
          DesiredCapacity: 1,
        }),
      );
      h.run(1);
      const { CreateLaunchTemplateVersionCommand } = await import('@aws-sdk/client-ec2');
      await h.ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: ltId,
          SourceVersion: '1',
          LaunchTemplateData: { ImageId: DEFAULT_AMIS.next },
        }),
      );
      await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.green, DesiredCapacity: 2 }));
      h.run(1);
      const instances = (await group(h.green))?.Instances;
      expect(instances?.map((i) => i.LaunchTemplate?.Version)).toEqual(['1', '2']);
      expect((await group(h.green))?.LaunchTemplate?.Version).toBe('$Latest');
      expect(h.account.snapshot().groups[h.green]?.instances.map((i) => i.amiId)).toEqual([
        DEFAULT_AMIS.current,
        DEFAULT_AMIS.next,
      ]);
    });

    it('keeps retrying a launch whose AMI is not available, launching nothing', async () => {
      const ltId = h.environment.groups.green.launchTemplateId;
      const { CreateLaunchTemplateVersionCommand } = await import('@aws-sdk/client-ec2');
      await h.ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: ltId,
          SourceVersion: '1',
          LaunchTemplateData: { ImageId: 'ami-0000000000000dead' },
        }),
      );
      await h.asg.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: h.green,
          LaunchTemplate: { LaunchTemplateId: ltId, Version: '2' },
          MaxSize: 2,
          DesiredCapacity: 2,
        }),
      );
      h.run(60);
      expect((await group(h.green))?.Instances).toEqual([]);
      const { Activities } = await h.asg.send(
        new DescribeScalingActivitiesCommand({ AutoScalingGroupName: h.green }),
      );
      expect(Activities?.length).toBeGreaterThanOrEqual(5);
      expect(Activities?.[0]).toMatchObject({
        StatusCode: 'Failed',
        StatusMessage:
          "The image id '[ami-0000000000000dead]' does not exist. Launching EC2 instance failed.",
      });
    });
  });

  describe('traffic sources', () => {
    beforeEach(async () => {
      await h.asg.send(
        new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, MaxSize: 3, DesiredCapacity: 2 }),
      );
      h.run(61); // booted and InService
    });

    it('Adding → Added → InService once an instance passed a health check; Removing → Removed → gone', async () => {
      await h.asg.send(
        new AttachTrafficSourcesCommand({
          AutoScalingGroupName: h.green,
          TrafficSources: [{ Identifier: h.synthetic, Type: 'elbv2' }],
        }),
      );
      expect(await sources(h.green)).toEqual(['synthetic:Adding']);
      expect((await group(h.green))?.TargetGroupARNs).toEqual([h.synthetic]);
      h.run(5);
      expect(await sources(h.green)).toEqual(['synthetic:Added']);
      h.run(1);
      expect(await sources(h.green)).toEqual(['synthetic:InService']);

      await h.asg.send(
        new DetachTrafficSourcesCommand({
          AutoScalingGroupName: h.green,
          TrafficSources: [{ Identifier: h.synthetic, Type: 'elbv2' }],
        }),
      );
      expect(await sources(h.green)).toEqual(['synthetic:Removing']);
      expect((await group(h.green))?.TargetGroupARNs).toEqual([]);
      h.run(30); // deregistration delay
      expect(await sources(h.green)).toEqual(['synthetic:Removed']);
      h.run(5);
      expect(await sources(h.green)).toEqual([]);
      expect(h.account.snapshot().groups[h.green]?.instances.map((i) => i.lifecycleState)).toEqual([
        'InService',
        'InService',
      ]);
    });

    it('accepts at most 10 traffic sources per call, only existing target groups, and detaches only what is attached', async () => {
      const eleven = Array.from({ length: 11 }, () => ({ Identifier: h.synthetic, Type: 'elbv2' }));
      const tooMany = await rejection(
        h.asg.send(
          new AttachTrafficSourcesCommand({ AutoScalingGroupName: h.green, TrafficSources: eleven }),
        ),
      );
      expect(tooMany.message).toBe(
        'Trying to update too many Load Balancers/Target Groups at once. The limit is 10',
      );
      const legacy = await rejection(
        h.asg.send(
          new AttachLoadBalancerTargetGroupsCommand({
            AutoScalingGroupName: h.green,
            TargetGroupARNs: eleven.map((s) => s.Identifier),
          }),
        ),
      );
      expect(legacy.name).toBe('ValidationError');
      const unknown = await rejection(
        h.asg.send(
          new AttachTrafficSourcesCommand({
            AutoScalingGroupName: h.green,
            TrafficSources: [{ Identifier: h.main.replace('webapp-main', 'nope'), Type: 'elbv2' }],
          }),
        ),
      );
      expect(unknown.message).toBe(
        'Provided Target Groups may not be valid. Please ensure they exist and try again.',
      );
      const notAttached = await rejection(
        h.asg.send(
          new DetachTrafficSourcesCommand({
            AutoScalingGroupName: h.green,
            TrafficSources: [{ Identifier: h.main }],
          }),
        ),
      );
      expect(notAttached.name).toBe('ValidationError');
      const pageSize = await rejection(
        h.asg.send(new DescribeTrafficSourcesCommand({ AutoScalingGroupName: h.green, MaxRecords: 51 })),
      );
      expect(pageSize.name).toBe('ValidationError');
    });

    it('registers instances launched later with the attached target groups as they go InService, not while they boot', async () => {
      await h.asg.send(
        new AttachLoadBalancerTargetGroupsCommand({
          AutoScalingGroupName: h.green,
          TargetGroupARNs: [h.synthetic],
        }),
      );
      await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.green, DesiredCapacity: 3 }));
      h.run(1);
      const pending = h.account
        .snapshot()
        .groups[h.green]?.instances.find((i) => i.lifecycleState === 'Pending');
      const target = () =>
        h.account.snapshot().targetGroups[h.synthetic]?.targets.find((t) => t.id === pending?.id);
      // Booting: a registered instance would fail its first health checks (docs/aws-facts/auto-scaling-groups.md#instance-lifecycle).
      expect(target()).toBeUndefined();
      h.until(() => h.idsIn(h.green, 'InService').includes(pending?.id ?? ''));
      expect(target()?.state).toBe('initial');
    });
  });

  describe('processes, tags, termination', () => {
    it('validates process names and lists suspended processes', async () => {
      const bad = await rejection(
        h.asg.send(
          new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['Lunch'] }),
        ),
      );
      expect(bad.name).toBe('ValidationError');
      await h.asg.send(
        new SuspendProcessesCommand({
          AutoScalingGroupName: h.blue,
          ScalingProcesses: ['AZRebalance', 'AlarmNotification'],
        }),
      );
      expect((await group(h.blue))?.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual([
        'AZRebalance',
        'AlarmNotification',
      ]);
    });

    it('creates, updates and deletes group tags', async () => {
      await h.asg.send(
        new CreateOrUpdateTagsCommand({
          Tags: [
            {
              ResourceId: h.green,
              ResourceType: 'auto-scaling-group',
              Key: 'deployment',
              Value: 'd-1',
              PropagateAtLaunch: false,
            },
          ],
        }),
      );
      expect((await group(h.green))?.Tags).toContainEqual(
        expect.objectContaining({ Key: 'deployment', Value: 'd-1' }),
      );
      await h.asg.send(
        new DeleteTagsCommand({
          Tags: [{ ResourceId: h.green, ResourceType: 'auto-scaling-group', Key: 'deployment' }],
        }),
      );
      expect((await group(h.green))?.Tags?.map((t) => t.Key)).not.toContain('deployment');
      const missing = await rejection(
        h.asg.send(
          new CreateOrUpdateTagsCommand({
            Tags: [{ ResourceId: 'nope', ResourceType: 'auto-scaling-group', Key: 'k', Value: 'v' }],
          }),
        ),
      );
      expect(missing.name).toBe('ValidationError');
    });

    it('TerminateInstanceInAutoScalingGroup honours the min-size rule and replaces without decrement', async () => {
      const [first] = (await group(h.blue))?.Instances ?? [];
      await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 3 }));
      const error = await rejection(
        h.asg.send(
          new TerminateInstanceInAutoScalingGroupCommand({
            InstanceId: first?.InstanceId,
            ShouldDecrementDesiredCapacity: true,
          }),
        ),
      );
      expect(error.message).toContain("violate group's min size constraint");
      await h.asg.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: first?.InstanceId,
          ShouldDecrementDesiredCapacity: false,
        }),
      );
      h.run(1);
      expect((await group(h.blue))?.Instances?.map((i) => i.LifecycleState).sort()).toEqual([
        'InService',
        'InService',
        'Pending',
        'Terminating',
      ]);
    });
  });
});
