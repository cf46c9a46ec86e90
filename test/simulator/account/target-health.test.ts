import {
  AttachTrafficSourcesCommand,
  DescribeAutoScalingGroupsCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DEFAULT_AMIS } from '../../../simulator/account';
import { createHarness, rejection, type Harness } from './harness';

describe('target health', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  const health = async (arn: string) =>
    (await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions ??
    [];
  const states = async (arn: string) => (await health(arn)).map((d) => d.TargetHealth?.State);

  it('a newly registered target is initial, then healthy after one passed check', async () => {
    h = createHarness();
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, MaxSize: 1, DesiredCapacity: 1 }),
    );
    h.run(61); // launched at 1 s, boots for 60 s
    const [instance] =
      (await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [h.green] })))
        .AutoScalingGroups?.[0]?.Instances ?? [];
    expect(instance?.LifecycleState).toBe('InService');
    await h.asg.send(
      new AttachTrafficSourcesCommand({
        AutoScalingGroupName: h.green,
        TrafficSources: [{ Identifier: h.synthetic }],
      }),
    );
    expect((await health(h.synthetic))[0]?.TargetHealth).toEqual({
      State: 'initial',
      Reason: 'Elb.RegistrationInProgress',
      Description: 'Target registration is in progress',
    });
    h.run(4);
    expect(await states(h.synthetic)).toEqual(['initial']);
    h.run(1);
    expect((await health(h.synthetic))[0]).toMatchObject({
      Target: { Id: instance?.InstanceId, Port: 80 },
      TargetHealth: { State: 'healthy' },
    });
  });

  it('UnhealthyThresholdCount failures make a target unhealthy; HealthyThresholdCount passes bring it back', async () => {
    h = createHarness();
    // Keep Auto Scaling from replacing the instances so the target group's own thresholds show.
    await h.asg.send(
      new SuspendProcessesCommand({
        AutoScalingGroupName: h.blue,
        ScalingProcesses: ['HealthCheck', 'ReplaceUnhealthy'],
      }),
    );
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, { failHealthChecks: true });
    h.run(10); // one check each (interval 10 s): one failure is not enough
    expect(await states(h.main)).toEqual(['healthy', 'healthy', 'healthy']);
    h.run(10);
    expect((await health(h.main)).map((d) => d.TargetHealth)).toEqual(
      Array(3).fill({ State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' }),
    );
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, {});
    h.run(10); // one pass: an unhealthy target needs two
    expect(await states(h.main)).toEqual(['unhealthy', 'unhealthy', 'unhealthy']);
    h.run(10);
    expect(await states(h.main)).toEqual(['healthy', 'healthy', 'healthy']);
  });

  it('a slower answer than the timeout is Target.Timeout; a wrong status code Target.ResponseCodeMismatch', async () => {
    h = createHarness({
      // Check a path the synthetic-check failure affects, so the app answers it with 500.
      customize: (env) => Object.assign(env.syntheticTargetGroup.healthCheck, { path: '/ready' }),
    });
    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['HealthCheck'] }),
    );
    await h.asg.send(
      new AttachTrafficSourcesCommand({
        AutoScalingGroupName: h.blue,
        TrafficSources: [{ Identifier: h.synthetic }],
      }),
    );
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, { latencyMs: 6000, failSyntheticChecks: true });
    h.run(20);
    expect((await health(h.main))[0]?.TargetHealth?.Reason).toBe('Target.Timeout');
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, { failSyntheticChecks: true });
    h.run(20);
    expect((await health(h.synthetic))[0]?.TargetHealth).toEqual({
      State: 'unhealthy',
      Reason: 'Target.ResponseCodeMismatch',
      Description: 'Health checks failed with these codes: [500]',
    });
  });

  it('Auto Scaling replaces an ELB-unhealthy instance after the grace period', async () => {
    h = createHarness();
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, { failHealthChecks: true });
    h.run(20);
    const group = (
      await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [h.blue] }))
    ).AutoScalingGroups?.[0];
    expect(group?.DesiredCapacity).toBe(3);
    expect(group?.Instances?.map((i) => `${i.LifecycleState}/${i.HealthStatus}`).sort()).toEqual([
      ...Array(3).fill('Pending/Healthy'),
      ...Array(3).fill('Terminating/Unhealthy'),
    ]);
  });

  it('DescribeTargetHealth answers for named targets, including unregistered and unknown ones', async () => {
    h = createHarness();
    const [first] = h.account.snapshot().groups[h.blue]?.instances ?? [];
    const answer = await h.elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: h.synthetic, Targets: [{ Id: first?.id }] }),
    );
    expect(answer.TargetHealthDescriptions?.[0]?.TargetHealth).toEqual({
      State: 'unused',
      Reason: 'Target.NotRegistered',
      Description: 'Target is not registered to the target group',
    });
    const unknown = await rejection(
      h.elb.send(
        new DescribeTargetHealthCommand({
          TargetGroupArn: h.synthetic,
          Targets: [{ Id: 'i-0000000000000dead' }],
        }),
      ),
    );
    expect(unknown.name).toBe('InvalidTargetException');
    const missingGroup = await rejection(
      h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: `${h.main}0` })),
    );
    expect([missingGroup.name, missingGroup.message]).toEqual([
      'TargetGroupNotFoundException',
      'One or more target groups not found',
    ]);
  });

  it('describes target groups with the settings’ health check and deregistration delay', async () => {
    h = createHarness();
    const groups = await h.elb.send(new DescribeTargetGroupsCommand({ Names: ['webapp-main'] }));
    expect(groups.TargetGroups?.[0]).toMatchObject({
      TargetGroupArn: h.main,
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
    });
    const attributes = await h.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: h.main }));
    expect(attributes.Attributes).toContainEqual({
      Key: 'deregistration_delay.timeout_seconds',
      Value: '30',
    });
    const { Rules } = await h.elb.send(
      new DescribeRulesCommand({ ListenerArn: h.environment.loadBalancer.listenerArn }),
    );
    expect(
      Rules?.map((rule) => [
        rule.Priority,
        rule.Conditions?.[0]?.HttpHeaderConfig,
        rule.Actions?.[0]?.TargetGroupArn,
      ]),
    ).toEqual([
      ['10', { HttpHeaderName: 'Synthetic', Values: ['True'] }, h.synthetic],
      ['default', undefined, h.main],
    ]);
  });
});
