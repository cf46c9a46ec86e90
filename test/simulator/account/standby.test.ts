import {
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  ResumeProcessesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DEFAULT_AMIS } from '../../../simulator/account';
import { createHarness, rejection, type Harness } from './harness';

describe('EnterStandby / ExitStandby', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  const group = async (name: string) =>
    (await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })))
      .AutoScalingGroups?.[0];
  const instanceIds = async (name: string) =>
    (await group(name))?.Instances?.map((i) => i.InstanceId as string) ?? [];
  const targetStates = async (arn: string) =>
    (
      await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))
    ).TargetHealthDescriptions?.map((d) => `${d.Target?.Id}:${d.TargetHealth?.State}`) ?? [];

  it('refuses a decrement that would take desired below MinSize, with AWS’s text', async () => {
    h = createHarness({
      instances: 1,
      customize: (env) => Object.assign(env.groups.blue, { min: 1, max: 1 }),
    });
    const [id] = await instanceIds(h.blue);
    const error = await rejection(
      h.asg.send(
        new EnterStandbyCommand({
          AutoScalingGroupName: h.blue,
          InstanceIds: [id as string],
          ShouldDecrementDesiredCapacity: true,
        }),
      ),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(
      'AutoScalingGroup webapp-blue has min-size=1, max-size=1, and desired-size=1. To place into standby 1 instance, please update the AutoScalingGroup sizes appropriately.',
    );
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect((await group(h.blue))?.Instances?.[0]?.LifecycleState).toBe('InService'); // rejected means unchanged
  });

  it('accepts at most 20 instances per call', async () => {
    h = createHarness({ instances: 21 });
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 0 }));
    const ids = await instanceIds(h.blue);
    const error = await rejection(
      h.asg.send(
        new EnterStandbyCommand({
          AutoScalingGroupName: h.blue,
          InstanceIds: ids,
          ShouldDecrementDesiredCapacity: true,
        }),
      ),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain('Member must have length less than or equal to 20');
    const ok = await h.asg.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: h.blue,
        InstanceIds: ids.slice(0, 20),
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    expect(ok.Activities).toHaveLength(20);
    expect((await group(h.blue))?.DesiredCapacity).toBe(1);
  });

  it('refuses instances that are not InService', async () => {
    h = createHarness();
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 4 }));
    h.run(1);
    const pending = (await group(h.blue))?.Instances?.find((i) => i.LifecycleState === 'Pending');
    const error = await rejection(
      h.asg.send(
        new EnterStandbyCommand({
          AutoScalingGroupName: h.blue,
          InstanceIds: [pending?.InstanceId as string],
          ShouldDecrementDesiredCapacity: false,
        }),
      ),
    );
    expect(error.message).toBe(`The instance ${pending?.InstanceId} is not in InService.`);
  });

  it('deregisters, drains for the deregistration delay (EnteringStandby), then Standby; draining targets get no requests', async () => {
    h = createHarness();
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 0 }));
    const [first, ...rest] = await instanceIds(h.blue);
    await h.asg.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: h.blue,
        InstanceIds: [first as string],
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    expect((await group(h.blue))?.DesiredCapacity).toBe(2);
    expect(await targetStates(h.main)).toContain(`${first}:draining`);
    const served = new Set<string>();
    h.run(29, () => served.add(h.account.alb.request({ path: '/' }).targetId as string));
    expect(served).toEqual(new Set(rest));
    expect((await group(h.blue))?.Instances?.find((i) => i.InstanceId === first)?.LifecycleState).toBe(
      'EnteringStandby',
    );
    h.run(1);
    expect((await group(h.blue))?.Instances?.find((i) => i.InstanceId === first)?.LifecycleState).toBe(
      'Standby',
    );
    const { Activities } = await h.asg.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: h.blue }),
    );
    expect(Activities?.[0]).toMatchObject({
      Description: `Moving EC2 instance to Standby: ${first}`,
      StatusCode: 'Successful',
      Progress: 100,
    });
    expect((await targetStates(h.main)).some((s) => s.startsWith(`${first}:`))).toBe(false);
  });

  it('launches a replacement when the desired capacity is not decremented', async () => {
    h = createHarness();
    const [first] = await instanceIds(h.blue);
    await h.asg.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: h.blue,
        InstanceIds: [first as string],
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    h.run(1);
    const states = (await group(h.blue))?.Instances?.map((i) => i.LifecycleState).sort();
    expect(states).toEqual(['EnteringStandby', 'InService', 'InService', 'Pending']);
  });

  it('scale-in never terminates Standby instances', async () => {
    h = createHarness();
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 0 }));
    const [first] = await instanceIds(h.blue);
    await h.asg.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: h.blue,
        InstanceIds: [first as string],
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    h.run(30);
    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 0 }));
    h.run(1);
    // Scale-in deregisters first: with the only other targets draining, the ALB has nothing to route to.
    expect((await group(h.blue))?.Instances?.map((i) => i.LifecycleState).sort()).toEqual([
      'Standby',
      'Terminating',
      'Terminating',
    ]);
    expect(h.account.alb.request({ path: '/' }).status).toBe(503);
    h.run(30 + 10); // draining, then shutdown
    expect((await group(h.blue))?.Instances?.map((i) => i.LifecycleState).sort()).toEqual([
      'Standby',
      'Terminated',
      'Terminated',
    ]);
    h.run(10);
    const remaining = (await group(h.blue))?.Instances;
    expect(remaining?.map((i) => [i.InstanceId, i.LifecycleState])).toEqual([[first, 'Standby']]);
  });

  it('ExitStandby increments desired, re-registers the instance, which must pass a health check again', async () => {
    h = createHarness();
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 0 }));
    const [first] = await instanceIds(h.blue);
    await h.asg.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: h.blue,
        InstanceIds: [first as string],
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    h.run(30);
    const answer = await h.asg.send(
      new ExitStandbyCommand({ AutoScalingGroupName: h.blue, InstanceIds: [first as string] }),
    );
    expect(answer.Activities?.[0]?.Description).toContain(first);
    const after = await group(h.blue);
    expect(after?.DesiredCapacity).toBe(3);
    expect(after?.Instances?.find((i) => i.InstanceId === first)?.LifecycleState).toBe('Pending');
    const health = await h.elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: h.main, Targets: [{ Id: first }] }),
    );
    expect(health.TargetHealthDescriptions?.[0]?.TargetHealth).toMatchObject({
      State: 'initial',
      Reason: 'Elb.RegistrationInProgress',
    });
    h.run(5);
    expect((await group(h.blue))?.Instances?.find((i) => i.InstanceId === first)?.LifecycleState).toBe(
      'InService',
    );
    expect(await targetStates(h.main)).toContain(`${first}:healthy`);
  });

  it('the grace period protects an instance back from Standby until it has had time to pass checks', async () => {
    h = createHarness();
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 0 }));
    const [first] = await instanceIds(h.blue);
    await h.asg.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: h.blue,
        InstanceIds: [first as string],
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    h.run(30);
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, { failHealthChecks: true });
    await h.asg.send(
      new ExitStandbyCommand({ AutoScalingGroupName: h.blue, InstanceIds: [first as string] }),
    );
    h.run(30);
    expect(await targetStates(h.main)).toContain(`${first}:unhealthy`);
    const during = (await group(h.blue))?.Instances?.find((i) => i.InstanceId === first);
    expect([during?.LifecycleState, during?.HealthStatus]).toEqual(['InService', 'Healthy']);
    h.run(40); // InService at +5 s, grace period 60 s
    const after = (await group(h.blue))?.Instances?.find((i) => i.InstanceId === first);
    expect([after?.LifecycleState, after?.HealthStatus]).toEqual(['Terminating', 'Unhealthy']);
  });

  it('ExitStandby errors: not in Standby, Launch suspended, over MaxSize', async () => {
    h = createHarness();
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 0, MaxSize: 3 }),
    );
    const [first, second] = await instanceIds(h.blue);
    const notStandby = await rejection(
      h.asg.send(new ExitStandbyCommand({ AutoScalingGroupName: h.blue, InstanceIds: [second as string] })),
    );
    expect([notStandby.name, notStandby.message]).toEqual([
      'ValidationError',
      `The instance ${second} is not in Standby.`,
    ]);

    await h.asg.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: h.blue,
        InstanceIds: [first as string],
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    const entering = await rejection(
      h.asg.send(new ExitStandbyCommand({ AutoScalingGroupName: h.blue, InstanceIds: [first as string] })),
    );
    expect(entering.message).toBe(`The instance ${first} is not in Standby.`);
    h.run(30);

    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['Launch'] }),
    );
    const suspended = await rejection(
      h.asg.send(new ExitStandbyCommand({ AutoScalingGroupName: h.blue, InstanceIds: [first as string] })),
    );
    expect(suspended.name).toBe('ValidationError');
    expect(suspended.message).toContain('Launch');

    await h.asg.send(
      new ResumeProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['Launch'] }),
    );
    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 3 }));
    const overMax = await rejection(
      h.asg.send(new ExitStandbyCommand({ AutoScalingGroupName: h.blue, InstanceIds: [first as string] })),
    );
    expect(overMax.name).toBe('ValidationError');
    expect(overMax.message).toContain('max-size=3');
  });
});
