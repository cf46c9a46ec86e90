import {
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeScalingActivitiesCommand,
  ResumeProcessesCommand,
  SetInstanceProtectionCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { createHarness, rejection, type Harness } from './harness';

/** docs/aws-facts/auto-scaling-scale-in-protection.md and auto-scaling-groups.md#suspended-processes */
describe('scale-in protection', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  const toZero = (name: string) =>
    h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: 0, DesiredCapacity: 0 }),
    );

  it('a group scaled to zero keeps its protected instances, says so, and TerminateInstanceInAutoScalingGroup still ends them', async () => {
    h = createHarness({ activeGroup: { newInstancesProtectedFromScaleIn: true } });
    const ids = h.idsIn(h.blue, 'InService');
    const described = await h.asg.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [h.blue] }),
    );
    expect(described.AutoScalingGroups?.[0]?.NewInstancesProtectedFromScaleIn).toBe(true);
    expect(described.AutoScalingGroups?.[0]?.Instances?.every((i) => i.ProtectedFromScaleIn)).toBe(true);

    await toZero(h.blue);
    h.run(120);
    expect(h.group(h.blue).desired).toBe(0);
    expect(h.idsIn(h.blue, 'InService')).toEqual(ids);
    const { Activities } = await h.asg.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: h.blue }),
    );
    expect(
      Activities?.filter((a) => a.Description?.startsWith('Could not scale to desired capacity')),
    ).toHaveLength(1);

    // Unprotecting one lets the scale-in take it; the explicit termination ignores protection.
    await h.asg.send(
      new SetInstanceProtectionCommand({
        AutoScalingGroupName: h.blue,
        InstanceIds: [ids[0] as string],
        ProtectedFromScaleIn: false,
      }),
    );
    await h.asg.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: ids[1],
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    h.run(1);
    expect(h.idsIn(h.blue, 'InService')).toEqual([ids[2]]);
  });

  it('health-check replacement ignores protection', async () => {
    h = createHarness({ activeGroup: { newInstancesProtectedFromScaleIn: true } });
    const [first] = h.idsIn(h.blue, 'InService');
    h.account.setVersionBehaviour(h.group(h.blue).instances[0]?.amiId as string, { failHealthChecks: true });
    h.until(() => !h.idsIn(h.blue, 'InService').includes(first as string), 600);
    expect(h.group(h.blue).instances.find((i) => i.id === first)?.lifecycleState).toMatch(/^Terminat/);
  });

  it('SetInstanceProtection: only the group’s instances, at most 50', async () => {
    h = createHarness();
    const foreign = await rejection(
      h.asg.send(
        new SetInstanceProtectionCommand({
          AutoScalingGroupName: h.green,
          InstanceIds: h.idsIn(h.blue, 'InService'),
          ProtectedFromScaleIn: true,
        }),
      ),
    );
    expect(foreign.name).toBe('ValidationError');
    const tooMany = await rejection(
      h.asg.send(
        new SetInstanceProtectionCommand({
          AutoScalingGroupName: h.blue,
          InstanceIds: Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(17, '0')}`),
          ProtectedFromScaleIn: true,
        }),
      ),
    );
    expect(tooMany.name).toBe('LimitExceededFault');
    const [id] = h.idsIn(h.blue, 'InService');
    await h.asg.send(
      new SetInstanceProtectionCommand({
        AutoScalingGroupName: h.blue,
        InstanceIds: [id as string],
        ProtectedFromScaleIn: true,
      }),
    );
    const { AutoScalingInstances } = await h.asg.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [id as string] }),
    );
    expect(AutoScalingInstances?.[0]?.ProtectedFromScaleIn).toBe(true);
  });
});

describe('suspended processes and one another', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('Terminate suspended: ReplaceUnhealthy waits (HealthCheck still marks), and replaces once Terminate resumes', async () => {
    h = createHarness({ activeSuspendedProcesses: ['Terminate'] });
    const [first] = h.idsIn(h.blue, 'InService');
    h.account.setVersionBehaviour(h.group(h.blue).instances[0]?.amiId as string, { failHealthChecks: true });
    h.run(300);
    const marked = h.group(h.blue).instances.filter((i) => i.healthStatus === 'Unhealthy');
    expect(marked.length).toBeGreaterThan(0);
    expect(h.idsIn(h.blue, 'InService')).toContain(first);
    await h.asg.send(
      new ResumeProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['Terminate'] }),
    );
    h.run(1);
    expect(h.idsIn(h.blue, 'InService')).not.toContain(first);
  });

  it('Terminate suspended: scale-in leaves InService instances but still takes Pending ones', async () => {
    h = createHarness();
    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['Terminate'] }),
    );
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 5 }));
    h.run(1);
    expect(h.idsIn(h.blue, 'Pending')).toHaveLength(2);
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 0, DesiredCapacity: 1 }),
    );
    h.run(1);
    expect(h.idsIn(h.blue, 'Pending')).toHaveLength(0);
    expect(h.idsIn(h.blue, 'InService')).toHaveLength(3);
  });
});

describe('authorization of the new operations', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('SetInstanceProtection, PutLifecycleHook and StartInstanceRefresh are authorized on the group', async () => {
    h = createHarness();
    const { denying } = await import('./harness');
    const [id] = h.idsIn(h.blue, 'InService');
    const { PutLifecycleHookCommand, StartInstanceRefreshCommand } =
      await import('@aws-sdk/client-auto-scaling');
    const calls = [
      [
        'autoscaling:SetInstanceProtection',
        () =>
          h.asg.send(
            new SetInstanceProtectionCommand({
              AutoScalingGroupName: h.blue,
              InstanceIds: [id as string],
              ProtectedFromScaleIn: true,
            }),
          ),
      ],
      [
        'autoscaling:PutLifecycleHook',
        () =>
          h.asg.send(
            new PutLifecycleHookCommand({
              AutoScalingGroupName: h.blue,
              LifecycleHookName: 'x',
              LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
            }),
          ),
      ],
      [
        'autoscaling:StartInstanceRefresh',
        () => h.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: h.blue })),
      ],
    ] as const;
    for (const [action, call] of calls) {
      const denied = await rejection(denying([action], call));
      expect(denied.name).toBe('AccessDenied');
    }
  });
});
