import {
  AttachLoadBalancerTargetGroupsCommand,
  AttachTrafficSourcesCommand,
  DescribeLoadBalancerTargetGroupsCommand,
  DescribeTrafficSourcesCommand,
  DetachLoadBalancerTargetGroupsCommand,
  DetachTrafficSourcesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { createHarness, rejection, targetGroupArn, withTargetGroups, type Harness } from './harness';

/** docs/aws-facts/traffic-sources.md#two-apis-one-group */
describe('the two traffic source APIs on one group', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness({ customize: (env) => withTargetGroups(env, 2) });
  });
  afterEach(() => h.dispose());

  const listed = async () => ({
    trafficSources: (
      await h.asg.send(new DescribeTrafficSourcesCommand({ AutoScalingGroupName: h.blue }))
    ).TrafficSources?.map((s) => s.Identifier),
    targetGroups: (
      await h.asg.send(new DescribeLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: h.blue }))
    ).LoadBalancerTargetGroups?.map((s) => s.LoadBalancerTargetGroupARN),
  });

  it('DescribeTrafficSources lists both families; DescribeLoadBalancerTargetGroups only the older one’s', async () => {
    await h.asg.send(
      new AttachTrafficSourcesCommand({
        AutoScalingGroupName: h.blue,
        TrafficSources: [{ Identifier: targetGroupArn(1) }],
      }),
    );
    await h.asg.send(
      new AttachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: h.blue,
        TargetGroupARNs: [targetGroupArn(2)],
      }),
    );
    expect(await listed()).toEqual({
      trafficSources: [h.main, targetGroupArn(1), targetGroupArn(2)],
      // The group was created attached to main (CloudFormation's TargetGroupARNs: the older family).
      targetGroups: [h.main, targetGroupArn(2)],
    });
  });

  it('DetachLoadBalancerTargetGroups cannot detach what AttachTrafficSources attached; DetachTrafficSources detaches either', async () => {
    await h.asg.send(
      new AttachTrafficSourcesCommand({
        AutoScalingGroupName: h.blue,
        TrafficSources: [{ Identifier: targetGroupArn(1) }],
      }),
    );
    const refused = await rejection(
      h.asg.send(
        new DetachLoadBalancerTargetGroupsCommand({
          AutoScalingGroupName: h.blue,
          TargetGroupARNs: [targetGroupArn(1)],
        }),
      ),
    );
    expect(refused.name).toBe('ValidationError');
    await h.asg.send(
      new DetachTrafficSourcesCommand({
        AutoScalingGroupName: h.blue,
        TrafficSources: [{ Identifier: h.main }],
      }),
    );
    expect(h.sources(h.blue)[h.main]).toBe('Removing');
  });

  it('a detached target group leaves DescribeLoadBalancerTargetGroups once Removed', async () => {
    await h.asg.send(
      new DetachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: h.blue, TargetGroupARNs: [h.main] }),
    );
    expect((await listed()).targetGroups).toEqual([h.main]);
    h.until(() => h.sources(h.blue)[h.main] === 'Removed', 600);
    expect(await listed()).toEqual({ trafficSources: [h.main], targetGroups: [] });
  });
});

describe('health check types', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('takes a comma-separated list of EC2, ELB, EBS, VPC_LATTICE and nothing else', async () => {
    h = createHarness();
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: h.blue,
        HealthCheckType: 'EC2,ELB,EBS,VPC_LATTICE',
      }),
    );
    const refused = await rejection(
      h.asg.send(
        new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, HealthCheckType: 'HTTP' }),
      ),
    );
    expect(refused.name).toBe('ValidationError');
  });

  it('EC2 only: an instance the target group finds unhealthy stays in service', async () => {
    h = createHarness({ activeGroup: { healthCheckType: 'EC2' } });
    h.account.setVersionBehaviour(h.group(h.blue).instances[0]?.amiId as string, { failHealthChecks: true });
    h.run(300);
    expect(Object.values(h.health(h.main)).every((state) => state === 'unhealthy')).toBe(true);
    expect(h.idsIn(h.blue, 'InService')).toHaveLength(3);
  });
});
