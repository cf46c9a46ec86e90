import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { InstanceLoads } from '../../../simulator/account/capacity';
import { rateAt, TrafficGenerator } from '../../../simulator/traffic';
import { createHarness, type Harness } from '../account/harness';

describe('instance capacity (the load curve)', () => {
  const waits = (loads: InstanceLoads, second: number, requests: number) =>
    Array.from({ length: requests }, () => loads.admit('i-1', second * 1000, 10, 5));

  it('below capacity nothing waits and the CPU is the share of capacity used', () => {
    const loads = new InstanceLoads();
    for (let second = 0; second < 5; second++) {
      expect(
        waits(loads, second, 8).every((admission) => admission.waitMs === 0 && !admission.overCapacity),
      ).toBe(true);
    }
    expect(loads.utilization('i-1', 5000, 10)).toBeCloseTo(80);
  });

  it('a sustained load above capacity queues: the wait grows by (load − capacity) / capacity each second, then 503s', () => {
    const loads = new InstanceLoads();
    const lastWait: number[] = [];
    let refused = 0;
    for (let second = 0; second < 20; second++) {
      const admissions = waits(loads, second, 15);
      refused += admissions.filter((admission) => admission.refused).length;
      lastWait.push(Math.max(...admissions.map((admission) => admission.waitMs)));
    }
    expect(lastWait.slice(0, 4)).toEqual([500, 1000, 1500, 2000]);
    // The queue stops at 5 s of work: from then on the excess (a third of 15 a second) is refused.
    expect(Math.max(...lastWait)).toBeLessThanOrEqual(5000);
    expect(refused).toBeGreaterThan(0);
    expect(loads.utilization('i-1', 20_000, 10)).toBe(100);
  });

  it('a queue drains once the load falls below capacity', () => {
    const loads = new InstanceLoads();
    for (let second = 0; second < 4; second++) waits(loads, second, 20);
    const later = [4, 5, 6, 7, 8, 9, 10, 11].map((second) =>
      Math.max(...waits(loads, second, 5).map((admission) => admission.waitMs)),
    );
    expect(later[0]).toBeGreaterThan(0);
    expect(later[later.length - 1]).toBe(0);
  });
});

describe('traffic profiles', () => {
  it('a step changes the rate at its time; a daily curve goes from trough to peak and back', () => {
    expect(rateAt({ kind: 'step', from: 10, to: 40, atSeconds: 600 }, 599)).toBe(10);
    expect(rateAt({ kind: 'step', from: 10, to: 40, atSeconds: 600 }, 600)).toBe(40);
    const daily = { kind: 'daily', trough: 5, peak: 45 } as const;
    expect(rateAt(daily, 0)).toBeCloseTo(5);
    expect(rateAt(daily, 6 * 3600)).toBeCloseTo(25);
    expect(rateAt(daily, 12 * 3600)).toBeCloseTo(45);
    expect(rateAt({ ...daily, phase: 0.25 }, 0)).toBeCloseTo(25); // on the rising edge
    expect(rateAt({ ...daily, phase: 0.25 }, 60)).toBeGreaterThan(25);
  });

  it('the generator sends what the profile says each second', () => {
    const h = createHarness();
    try {
      const traffic = new TrafficGenerator(h.account, {
        profile: { kind: 'step', from: 2, to: 5, atSeconds: 10 },
      });
      h.run(20, () => traffic.tick());
      // Seconds 1–9 at 2 a second, 10–20 at 5.
      expect(traffic.stats.total).toBe(9 * 2 + 11 * 5);
    } finally {
      h.dispose();
    }
  });
});

describe('a fleet too small for its load', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('halving the fleet under a load above half its capacity gives capacity errors, not failed requests', async () => {
    h = createHarness({ instances: 6, capacity: { capacityPerInstance: 10 } });
    // 45 a second: 7.5 on each of 6 instances, 15 on each of 3, over their 10.
    const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 45 });
    h.run(60, () => traffic.tick());
    expect(traffic.stats).toMatchObject({ total: 2700, failed: 0, appErrors: 0, capacityErrors: 0 });

    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 3 }));
    h.run(180, () => traffic.tick());
    expect(traffic.stats.failed).toBe(0);
    expect(traffic.stats.appErrors).toBe(0);
    expect(traffic.stats.capacityErrors).toBeGreaterThan(1000);
  });
});
