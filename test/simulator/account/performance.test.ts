import { SetDesiredCapacityCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { TrafficGenerator } from '../../../simulator/traffic';
import { createHarness, type Harness } from './harness';

describe('performance', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('ticks a 500-instance fleet for two simulated hours in well under a few seconds', async () => {
    h = createHarness({ instances: 500 });
    const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 20 });
    // A second fleet of 500 boots, registers and turns healthy while the first one serves.
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, MaxSize: 500 }));
    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.green, DesiredCapacity: 500 }));
    const started = performance.now();
    h.run(7200, () => traffic.tick());
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(3000);
    const health = await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: h.main }));
    expect(health.TargetHealthDescriptions).toHaveLength(500);
    expect(
      h.account.snapshot().groups[h.green]?.instances.filter((i) => i.lifecycleState === 'InService'),
    ).toHaveLength(500);
    expect(traffic.stats).toMatchObject({ total: 144_000, failed: 0 });
  });
});
