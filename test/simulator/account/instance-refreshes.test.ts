import {
  CancelInstanceRefreshCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
  SuspendProcessesCommand,
  ResumeProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { createHarness, rejection, type Harness } from './harness';

/** docs/aws-facts/auto-scaling-instance-refreshes.md */
describe('instance refreshes', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  const refreshes = async () =>
    (await h.asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: h.blue })))
      .InstanceRefreshes ?? [];

  it('Pending → InProgress → Successful, replacing every instance while keeping MinHealthyPercentage healthy', async () => {
    h = createHarness();
    const old = h.idsIn(h.blue, 'InService');
    const { InstanceRefreshId } = await h.asg.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: h.blue,
        Preferences: { MinHealthyPercentage: 66, InstanceWarmup: 30 },
      }),
    );
    expect((await refreshes())[0]).toMatchObject({ InstanceRefreshId, Status: 'Pending' });
    const busy = await rejection(
      h.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: h.blue })),
    );
    expect(busy.name).toBe('InstanceRefreshInProgress');
    h.run(2);
    expect((await refreshes())[0]?.Status).toBe('InProgress');
    let fewestInService = 3;
    h.until(
      () =>
        h.group(h.blue).instances.filter((i) => old.includes(i.id) && i.lifecycleState === 'InService')
          .length === 0,
      1800,
      () => {
        fewestInService = Math.min(fewestInService, h.idsIn(h.blue, 'InService').length);
      },
    );
    // ceil(3 × 66 %) = 2 stay in service: one instance at a time.
    expect(fewestInService).toBe(2);
    h.run(120);
    expect((await refreshes())[0]).toMatchObject({ Status: 'Successful', PercentageComplete: 100 });
  });

  it('does not replace while Launch is suspended', async () => {
    h = createHarness();
    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['Launch'] }),
    );
    await h.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: h.blue }));
    h.run(300);
    expect(h.idsIn(h.blue, 'InService')).toHaveLength(3);
    expect((await refreshes())[0]?.Status).toBe('InProgress');
    await h.asg.send(
      new ResumeProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['Launch'] }),
    );
    h.run(2);
    expect(h.idsIn(h.blue, 'Terminating')).toHaveLength(1);
  });

  it('CancelInstanceRefresh: Cancelling, then Cancelled; ActiveInstanceRefreshNotFound when none is active', async () => {
    h = createHarness();
    const none = await rejection(
      h.asg.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: h.blue })),
    );
    expect(none.name).toBe('ActiveInstanceRefreshNotFoundFault');
    await h.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: h.blue }));
    h.run(3);
    await h.asg.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: h.blue }));
    expect((await refreshes())[0]?.Status).toBe('Cancelling');
    h.run(120);
    expect((await refreshes())[0]?.Status).toBe('Cancelled');
  });

  it('the environment can start one during the simulation, and list earlier ones as they were', async () => {
    h = createHarness({
      activeGroup: {
        startInstanceRefresh: { afterSeconds: 10, minHealthyPercentage: 100 },
        instanceRefreshes: [{ id: 'c0ffee00-0000-4000-8000-000000000000', status: 'Successful' }],
      },
    });
    expect((await refreshes()).map((r) => r.Status)).toEqual(['Successful']);
    h.run(11);
    const [started, earlier] = await refreshes();
    expect(started?.Status).toMatch(/Pending|InProgress/);
    expect(earlier?.InstanceRefreshId).toBe('c0ffee00-0000-4000-8000-000000000000');
  });
});
