import {
  DeletePolicyCommand,
  DescribePoliciesCommand,
  PutScalingPolicyCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { TrafficGenerator } from '../../../simulator/traffic';
import { createHarness, type Harness } from './harness';

const RESOURCE_LABEL = 'app/webapp-alb/50dc6c495c0c9188/targetgroup/webapp-main/0123456789abcdef';

describe('scaling policies: the API', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('PutScalingPolicy creates a target tracking policy with its two alarms; DescribePolicies and DeletePolicy', async () => {
    h = createHarness();
    const put = await h.asg.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: h.blue,
        PolicyName: 'requests',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: {
          PredefinedMetricSpecification: {
            PredefinedMetricType: 'ALBRequestCountPerTarget',
            ResourceLabel: RESOURCE_LABEL,
          },
          TargetValue: 600,
        },
        EstimatedInstanceWarmup: 90,
      }),
    );
    expect(put.PolicyARN).toMatch(
      /^arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:[0-9a-f-]+:autoScalingGroupName\/webapp-blue:policyName\/requests$/,
    );
    expect(put.Alarms?.map((alarm) => alarm.AlarmName)).toEqual([
      expect.stringMatching(/^TargetTracking-webapp-blue-AlarmHigh-/),
      expect.stringMatching(/^TargetTracking-webapp-blue-AlarmLow-/),
    ]);
    const described = await h.asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: h.blue }));
    expect(described.ScalingPolicies).toEqual([
      expect.objectContaining({
        PolicyName: 'requests',
        PolicyARN: put.PolicyARN,
        PolicyType: 'TargetTrackingScaling',
        EstimatedInstanceWarmup: 90,
        TargetTrackingConfiguration: {
          PredefinedMetricSpecification: {
            PredefinedMetricType: 'ALBRequestCountPerTarget',
            ResourceLabel: RESOURCE_LABEL,
          },
          TargetValue: 600,
          DisableScaleIn: false,
        },
      }),
    ]);
    expect(
      (await h.asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: h.green }))).ScalingPolicies,
    ).toEqual([]);
    await h.asg.send(new DeletePolicyCommand({ AutoScalingGroupName: h.blue, PolicyName: 'requests' }));
    expect((await h.asg.send(new DescribePoliciesCommand({}))).ScalingPolicies).toEqual([]);
  });

  it('refuses a request-count policy on a target group the group is not attached to', async () => {
    h = createHarness();
    await expect(
      h.asg.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: h.green,
          PolicyName: 'requests',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingConfiguration: {
            PredefinedMetricSpecification: {
              PredefinedMetricType: 'ALBRequestCountPerTarget',
              ResourceLabel: RESOURCE_LABEL,
            },
            TargetValue: 600,
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('the default environment can give both groups the same policy', async () => {
    h = createHarness({
      scalingPolicy: { name: 'cpu', metric: 'ASGAverageCPUUtilization', targetValue: 50 },
    });
    const described = await h.asg.send(new DescribePoliciesCommand({}));
    expect(
      described.ScalingPolicies?.map((policy) => [policy.AutoScalingGroupName, policy.PolicyName]),
    ).toEqual([
      [h.blue, 'cpu'],
      [h.green, 'cpu'],
    ]);
  });
});

describe('target tracking', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  /** 3 instances of 10 requests a second; a step from 15 to 45 a second at 2 minutes. */
  const stepped = (policy: 'requests' | 'cpu', suspend = false) => {
    h = createHarness({
      capacity: { capacityPerInstance: 10 },
      scalingPolicy:
        policy === 'requests'
          ? {
              name: 'requests',
              metric: 'ALBRequestCountPerTarget',
              targetValue: 420,
              estimatedInstanceWarmupSeconds: 60,
            }
          : {
              name: 'cpu',
              metric: 'ASGAverageCPUUtilization',
              targetValue: 70,
              estimatedInstanceWarmupSeconds: 60,
            },
      customize: (environment) => {
        environment.groups.blue.max = 10;
      },
    });
    const traffic = new TrafficGenerator(h.account, {
      profile: { kind: 'step', from: 15, to: 45, atSeconds: 120 },
    });
    return { traffic, suspend };
  };

  it('scales a group out under a step in traffic, and capacity errors stop once the new instances serve', () => {
    const { traffic } = stepped('requests');
    h.run(120, () => traffic.tick());
    expect(traffic.stats.capacityErrors).toBe(0);
    // 45 a second on 3 instances of 10: over capacity until the policy's instances serve.
    h.run(240, () => traffic.tick());
    const [action] = h.account.scalingPolicies.actions;
    // Three minutes above the target (900 requests per target per minute against 420), then in proportion:
    // ⌈3 × 900 / 420⌉ = 7.
    expect(action).toMatchObject({ groupName: h.blue, from: 3, to: 7, at: 300_000 });
    expect(traffic.stats.capacityErrors).toBeGreaterThan(0);
    h.run(180, () => traffic.tick());
    const settled = traffic.stats.capacityErrors;
    h.run(600, () => traffic.tick());
    expect(traffic.stats.capacityErrors).toBe(settled);
    expect(traffic.stats.failed).toBe(0);
    expect(h.account.snapshot().groups[h.blue]?.desired).toBe(7);
    // 45 a second on 7 targets is 386 a minute each: not 10 % below the target, so no scale-in.
    expect(h.account.scalingPolicies.actions).toHaveLength(1);
  });

  it('a CPU policy scales out too, on the CPU the load puts on the instances', () => {
    const { traffic } = stepped('cpu');
    h.run(600, () => traffic.tick());
    const [action] = h.account.scalingPolicies.actions;
    expect(action).toMatchObject({ groupName: h.blue, from: 3 });
    expect(action?.to).toBeGreaterThan(3);
  });

  it('does not act while the AlarmNotification process is suspended', async () => {
    const { traffic } = stepped('requests');
    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['AlarmNotification'] }),
    );
    h.run(600, () => traffic.tick());
    expect(h.account.scalingPolicies.actions).toEqual([]);
    expect(h.account.snapshot().groups[h.blue]?.desired).toBe(3);
  });

  it('scales in slowly once the load falls, never below MinSize', () => {
    h = createHarness({
      instances: 6,
      capacity: { capacityPerInstance: 10 },
      scalingPolicy: {
        name: 'requests',
        metric: 'ALBRequestCountPerTarget',
        targetValue: 420,
        estimatedInstanceWarmupSeconds: 60,
      },
    });
    const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 3 });
    h.run(14 * 60, () => traffic.tick());
    expect(h.account.scalingPolicies.actions).toEqual([]); // the low alarm needs 15 minutes
    h.run(2 * 60, () => traffic.tick());
    expect(h.account.scalingPolicies.actions).toEqual([
      expect.objectContaining({ from: 6, to: 2 }), // ⌈6 × 30 / 420⌉ = 1, held at MinSize 2
    ]);
  });
});
