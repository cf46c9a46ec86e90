import {
  AttachTrafficSourcesCommand,
  EnterStandbyCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DEFAULT_AMIS } from '../../../simulator/account';
import { TrafficGenerator } from '../../../simulator/traffic';
import { createHarness, type Harness } from '../account/harness';

describe('TrafficGenerator', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('sends the requested rate (carrying fractions) and attributes responses to versions', () => {
    h = createHarness();
    const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 2.5, seed: 3 });
    h.run(10, () => traffic.tick());
    expect(traffic.stats).toEqual({
      total: 25,
      failed: 0,
      appErrors: 0,
      capacityErrors: 0,
      byVersion: { [DEFAULT_AMIS.current]: { served: 25, appErrors: 0 } },
    });
    expect(traffic.failures).toEqual([]);
    // Second by second (the clock moves before each second's requests), for the report's trafficSteps.
    expect(traffic.servedPerSecond()).toEqual({ [DEFAULT_AMIS.current]: [0, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3] });
  });

  it('counts application errors per version', () => {
    h = createHarness({ seed: 5 });
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, { errorRate: 0.5 });
    const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 20 });
    h.run(10, () => traffic.tick());
    const errors = traffic.stats.appErrors;
    expect(errors).toBeGreaterThan(50);
    expect(errors).toBeLessThan(150);
    expect(traffic.stats.byVersion[DEFAULT_AMIS.current]).toEqual({ served: 200, appErrors: errors });
    expect(traffic.stats.failed).toBe(0);
  });

  it('records failures with time, status and reason when nothing can serve', async () => {
    h = createHarness({ firstDeployment: true });
    const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 1 });
    h.run(3, () => traffic.tick());
    expect(traffic.stats).toMatchObject({ total: 3, failed: 3 });
    expect(traffic.failures).toEqual([
      { at: 1000, status: 503, reason: expect.stringContaining('no registered targets') },
      { at: 2000, status: 503, reason: expect.stringContaining('no registered targets') },
      { at: 3000, status: 503, reason: expect.stringContaining('no registered targets') },
    ]);
  });

  it('a blue/green shift done in the right order loses no user request', async () => {
    h = createHarness();
    const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 10 });
    const run = (seconds: number) => h.run(seconds, () => traffic.tick());
    const { CreateLaunchTemplateVersionCommand } = await import('@aws-sdk/client-ec2');
    const ltId = h.environment.groups.green.launchTemplateId;
    await h.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: ltId,
        SourceVersion: '1',
        LaunchTemplateData: { ImageId: DEFAULT_AMIS.next },
      }),
    );
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: h.green,
        LaunchTemplate: { LaunchTemplateId: ltId, Version: '2' },
        MinSize: 2,
        MaxSize: 6,
        DesiredCapacity: 3,
      }),
    );
    run(61);
    await h.asg.send(
      new AttachTrafficSourcesCommand({
        AutoScalingGroupName: h.green,
        TrafficSources: [{ Identifier: h.main }],
      }),
    );
    run(10); // green healthy in the main target group
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, MinSize: 0 }));
    const blueIds = h.account.snapshot().groups[h.blue]?.instances.map((i) => i.id);
    await h.asg.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: h.blue,
        InstanceIds: blueIds,
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    const before = traffic.stats.byVersion[DEFAULT_AMIS.current]?.served;
    run(60);
    expect(traffic.stats.failed).toBe(0);
    expect(traffic.stats.byVersion[DEFAULT_AMIS.current]?.served).toBe(before);
    expect(traffic.stats.byVersion[DEFAULT_AMIS.next]?.served).toBeGreaterThan(600);
  });
});
