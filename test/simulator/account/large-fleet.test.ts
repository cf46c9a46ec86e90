import { SetDesiredCapacityCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { TrafficGenerator } from '../../../simulator/traffic';
import { createHarness, type Harness } from './harness';

describe('performance', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  // How fast is the bench's concern (`npm run bench`, fleets of 10 to 1,000 instances): a timed assertion
  // failed here when two jest workers shared two busy cores. This test keeps what must hold at that size.
  it('ticks a 500-instance fleet for two simulated hours: every instance boots, registers and serves', async () => {
    h = createHarness({ instances: 500 });
    const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 20 });
    // A second fleet of 500 boots, registers and turns healthy while the first one serves.
    await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, MaxSize: 500 }));
    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.green, DesiredCapacity: 500 }));
    h.run(7200, () => traffic.tick());
    const health = await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: h.main }));
    expect(health.TargetHealthDescriptions).toHaveLength(500);
    expect(
      h.account.snapshot().groups[h.green]?.instances.filter((i) => i.lifecycleState === 'InService'),
    ).toHaveLength(500);
    expect(traffic.stats).toMatchObject({ total: 144_000, failed: 0 });
  });
});
