import {
  CompleteLifecycleActionCommand,
  DeleteLifecycleHookCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
  PutLifecycleHookCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import type { LifecycleHookDescription } from '../../../simulator/account';
import { createHarness, rejection, type Harness } from './harness';

/** docs/aws-facts/auto-scaling-lifecycle-hooks.md */
describe('lifecycle hooks', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  const withHooks = (hooks: LifecycleHookDescription[]) =>
    createHarness({ standbyGroup: { max: 4, lifecycleHooks: hooks } });
  const scaleGreen = (desired: number) =>
    h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.green, DesiredCapacity: desired }));
  const states = () => h.group(h.green).instances.map((i) => i.lifecycleState);

  it('PutLifecycleHook: defaults (3600 s, ABANDON, global timeout), ranges, DescribeLifecycleHooks, DeleteLifecycleHook', async () => {
    h = createHarness();
    await h.asg.send(
      new PutLifecycleHookCommand({
        AutoScalingGroupName: h.green,
        LifecycleHookName: 'warm-up',
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      }),
    );
    const { LifecycleHooks } = await h.asg.send(
      new DescribeLifecycleHooksCommand({ AutoScalingGroupName: h.green }),
    );
    expect(LifecycleHooks).toEqual([
      expect.objectContaining({
        LifecycleHookName: 'warm-up',
        HeartbeatTimeout: 3600,
        GlobalTimeout: 172800,
        DefaultResult: 'ABANDON',
      }),
    ]);
    for (const HeartbeatTimeout of [29, 7201]) {
      const refused = await rejection(
        h.asg.send(
          new PutLifecycleHookCommand({
            AutoScalingGroupName: h.green,
            LifecycleHookName: 'warm-up',
            HeartbeatTimeout,
          }),
        ),
      );
      expect(refused.name).toBe('ValidationError');
    }
    const noTransition = await rejection(
      h.asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: h.green, LifecycleHookName: 'other' })),
    );
    expect(noTransition.name).toBe('ValidationError');
    await h.asg.send(
      new DeleteLifecycleHookCommand({ AutoScalingGroupName: h.green, LifecycleHookName: 'warm-up' }),
    );
    const after = await h.asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: h.green }));
    expect(after.LifecycleHooks).toEqual([]);
  });

  it('a launch waits in Pending:Wait, counted but not registered, until CONTINUE; then Pending:Proceed and InService', async () => {
    h = withHooks([{ name: 'configure', transition: 'launching' }]);
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, DesiredCapacity: 1 }),
    );
    h.run(2);
    expect(states()).toEqual(['Pending:Wait']);
    const [id] = h.idsIn(h.green, 'Pending:Wait');
    // Attached now: the held instance is registered only once its hook completes.
    const { AttachTrafficSourcesCommand } = await import('@aws-sdk/client-auto-scaling');
    await h.asg.send(
      new AttachTrafficSourcesCommand({
        AutoScalingGroupName: h.green,
        TrafficSources: [{ Identifier: h.synthetic }],
      }),
    );
    h.run(120);
    expect(states()).toEqual(['Pending:Wait']);
    expect(h.health(h.synthetic)[id as string]).toBeUndefined();
    const { Activities } = await h.asg.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: h.green }),
    );
    expect(Activities?.[0]?.StatusCode).toBe('MidLifecycleAction');

    await h.asg.send(
      new RecordLifecycleActionHeartbeatCommand({
        AutoScalingGroupName: h.green,
        LifecycleHookName: 'configure',
        InstanceId: id,
      }),
    );
    await h.asg.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: h.green,
        LifecycleHookName: 'configure',
        InstanceId: id,
        LifecycleActionResult: 'CONTINUE',
      }),
    );
    expect(states()).toEqual(['Pending:Proceed']);
    expect(h.health(h.synthetic)[id as string]).toBeDefined();
    h.run(2);
    expect(states()).toEqual(['InService']);
    const again = await rejection(
      h.asg.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: h.green,
          LifecycleHookName: 'configure',
          InstanceId: id,
          LifecycleActionResult: 'CONTINUE',
        }),
      ),
    );
    expect(again.name).toBe('ValidationError');
  });

  it('ABANDON on launch terminates the instance and the group launches a replacement', async () => {
    h = withHooks([
      { name: 'configure', transition: 'launching', answer: { result: 'ABANDON', afterSeconds: 30 } },
    ]);
    await scaleGreen(1);
    h.run(2);
    const [first] = h.idsIn(h.green, 'Pending:Wait');
    h.run(31);
    const instance = h.group(h.green).instances.find((i) => i.id === first);
    expect(instance?.lifecycleState).toMatch(/^Terminat/);
    expect(h.idsIn(h.green, 'Pending').length + h.idsIn(h.green, 'Pending:Wait').length).toBe(1);
    const { Activities } = await h.asg.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: h.green }),
    );
    expect(
      Activities?.find((a) => a.Description === `Launching a new EC2 instance: ${first}`)?.StatusCode,
    ).toBe('Failed');
  });

  it('an unanswered action times out after the heartbeat timeout with the default result', async () => {
    h = withHooks([
      { name: 'configure', transition: 'launching', heartbeatTimeoutSeconds: 60, defaultResult: 'CONTINUE' },
    ]);
    await scaleGreen(1);
    h.run(2);
    h.run(58);
    expect(states()).toEqual(['Pending:Wait']);
    h.run(4);
    expect(states()).toEqual(['InService']);
  });

  it('the team answers CONTINUE after N seconds', async () => {
    h = withHooks([
      { name: 'configure', transition: 'launching', answer: { result: 'CONTINUE', afterSeconds: 90 } },
    ]);
    await scaleGreen(2);
    h.run(2);
    expect(states()).toEqual(['Pending:Wait', 'Pending:Wait']);
    h.run(95);
    expect(states()).toEqual(['InService', 'InService']);
  });

  it('a termination is deregistered first, then waits in Terminating:Wait, then Terminating:Proceed and Terminated', async () => {
    h = createHarness({
      activeGroup: {
        lifecycleHooks: [
          {
            name: 'drain-logs',
            transition: 'terminating',
            answer: { result: 'CONTINUE', afterSeconds: 100 },
          },
        ],
      },
    });
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 0, DesiredCapacity: 2 }),
    );
    h.run(1);
    const [leaving] = h.idsIn(h.blue, 'Terminating');
    expect(h.health(h.main)[leaving as string]).toBe('draining');
    h.until(() => h.idsIn(h.blue, 'Terminating:Wait').length === 1, 600);
    expect(h.health(h.main)[leaving as string]).toBeUndefined();
    h.run(101);
    expect(h.group(h.blue).instances.find((i) => i.id === leaving)?.lifecycleState).toMatch(
      /Terminating:Proceed|Terminated/,
    );
  });

  it('deleting a hook completes its outstanding launch actions with ABANDON', async () => {
    h = withHooks([{ name: 'configure', transition: 'launching' }]);
    await scaleGreen(1);
    h.run(2);
    const [first] = h.idsIn(h.green, 'Pending:Wait');
    await h.asg.send(
      new DeleteLifecycleHookCommand({ AutoScalingGroupName: h.green, LifecycleHookName: 'configure' }),
    );
    expect(h.group(h.green).instances.find((i) => i.id === first)?.lifecycleState).toBe('Terminating');
  });
});
