import {
  DeleteWarmPoolCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeWarmPoolCommand,
  PutWarmPoolCommand,
  SetDesiredCapacityCommand,
  SetInstanceProtectionCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { createHarness, rejection, type Harness } from './harness';

/** docs/aws-facts/auto-scaling-warm-pools.md */
describe('warm pools', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  const pool = async () => h.asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: h.blue }));

  it('holds MaxSize − desired prepared instances, Warmed:Stopped, described by both APIs', async () => {
    h = createHarness({ activeGroup: { warmPool: {} } });
    const { WarmPoolConfiguration, Instances } = await pool();
    expect(WarmPoolConfiguration).toEqual({
      MinSize: 0,
      PoolState: 'Stopped',
      InstanceReusePolicy: { ReuseOnScaleIn: false },
    });
    expect(Instances?.map((i) => i.LifecycleState)).toEqual([
      'Warmed:Stopped',
      'Warmed:Stopped',
      'Warmed:Stopped',
    ]);
    const group = (
      await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [h.blue] }))
    ).AutoScalingGroups?.[0];
    expect(group?.WarmPoolSize).toBe(3);
    expect(group?.WarmPoolConfiguration?.PoolState).toBe('Stopped');
    expect(group?.Instances).toHaveLength(3);
  });

  it('scale-out draws on the warm pool first, and the pool is refilled to its minimum', async () => {
    h = createHarness({ activeGroup: { warmPool: { minSize: 2, maxGroupPreparedCapacity: 4 } } });
    const warm = (await pool()).Instances?.map((i) => i.InstanceId) ?? [];
    expect(warm).toHaveLength(2);
    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 4 }));
    h.run(1);
    expect(h.idsIn(h.blue, 'Pending')).toEqual([warm[0]]);
    h.until(() => h.idsIn(h.blue, 'InService').length === 4, 120);
    const refilled = (await pool()).Instances ?? [];
    expect(refilled).toHaveLength(2);
    expect(refilled.map((i) => i.InstanceId)).not.toContain(warm[0]);
  });

  it('PutWarmPool refuses a group with a mixed instances policy; SetInstanceProtection refuses warm instances; DeleteWarmPool', async () => {
    h = createHarness({
      standbyGroup: { mixedInstancesPolicy: true },
      activeGroup: { warmPool: { minSize: 1 } },
    });
    const mixed = await rejection(h.asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: h.green })));
    expect(mixed.name).toBe('ValidationError');
    const [warm] = (await pool()).Instances ?? [];
    const protect = await rejection(
      h.asg.send(
        new SetInstanceProtectionCommand({
          AutoScalingGroupName: h.blue,
          InstanceIds: [warm?.InstanceId as string],
          ProtectedFromScaleIn: true,
        }),
      ),
    );
    expect(protect.name).toBe('ValidationError');

    await h.asg.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: h.blue }));
    expect((await pool()).WarmPoolConfiguration?.Status).toBe('PendingDelete');
    h.run(60);
    expect((await pool()).WarmPoolConfiguration).toBeUndefined();
    const again = await rejection(h.asg.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: h.blue })));
    expect(again.name).toBe('ValidationError');
  });

  it('PutWarmPool on a running group launches into the pool (Warmed:Pending, then the pool state)', async () => {
    h = createHarness();
    await h.asg.send(
      new PutWarmPoolCommand({
        AutoScalingGroupName: h.blue,
        MinSize: 1,
        MaxGroupPreparedCapacity: 4,
        PoolState: 'Running',
      }),
    );
    h.run(1);
    expect((await pool()).Instances?.map((i) => i.LifecycleState)).toEqual(['Warmed:Pending']);
    h.run(65);
    expect((await pool()).Instances?.map((i) => i.LifecycleState)).toEqual(['Warmed:Running']);
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MaxSize: 10 }));
    h.run(1);
    // MaxGroupPreparedCapacity 4 − desired 3 = 1: the group's MaxSize no longer decides.
    expect((await pool()).Instances).toHaveLength(1);
  });
});
