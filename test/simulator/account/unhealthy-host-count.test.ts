/**
 * UnHealthyHostCount is "the number of targets that are considered unhealthy" (CloudWatch metrics for your
 * Application Load Balancer); a target in `initial` (Elb.RegistrationInProgress, Elb.InitialHealthChecking)
 * is not unhealthy, so it is not counted (docs/aws-facts/load-balancer-targets.md#target-health-states).
 */
import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import type { MetricAlarmDescription } from '../../../simulator/account';
import { TrafficGenerator } from '../../../simulator/traffic';
import { createHarness, type Harness } from './harness';

describe('UnHealthyHostCount and targets in initial', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  const states = () => new Set(h.account.snapshot().alarms.map((alarm) => alarm.state));
  const alarmState = (name: string) =>
    h.account.snapshot().alarms.find((alarm) => alarm.name === name)?.state;

  it('a target still in its initial health checks is not counted as unhealthy', async () => {
    // A threshold of 10 failures at 10 s keeps a booting instance (60 s) in `initial` until it passes.
    h = createHarness({
      customize: (environment) => {
        environment.mainTargetGroup.healthCheck.unhealthyThresholdCount = 10;
        environment.alarms = [
          {
            type: 'metric',
            name: 'any-unhealthy',
            metricName: 'UnHealthyHostCount',
            statistic: 'Maximum',
            targetGroupArn: environment.mainTargetGroup.arn,
            threshold: 1,
            comparisonOperator: 'GreaterThanOrEqualToThreshold',
            periodSeconds: 60,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            treatMissingData: 'notBreaching',
          } satisfies MetricAlarmDescription,
        ];
      },
    });
    const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 5 });
    h.run(30, () => traffic.tick());
    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 4 }));
    const seen = new Set<string>();
    h.run(180, () => {
      traffic.tick();
      for (const target of h.account.snapshot().targetGroups[h.main]?.targets ?? []) seen.add(target.state);
    });
    expect(seen).toEqual(new Set(['initial', 'healthy']));
    expect(alarmState('any-unhealthy')).toBe('OK');
    expect(states()).toEqual(new Set(['OK']));
  });

  // Issue 10: the simulated group registered a scale-out's instance with its target groups as it launched,
  // 60 s before the application answered, so the booting instance failed UnhealthyThresholdCount checks,
  // turned `unhealthy` and tripped the reference unhealthy-hosts alarm (a scale-out during the rollback
  // window rolled a good version back). AWS registers the instance just before it reaches InService, once it
  // is configured (docs/aws-facts/auto-scaling-groups.md#instance-lifecycle).
  it('a scale-out of booting instances does not trip the unhealthy-hosts alarm', async () => {
    h = createHarness();
    const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 10 });
    h.run(30, () => traffic.tick());
    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 5 }));
    const seen = new Set<string | undefined>();
    h.run(300, () => {
      traffic.tick();
      seen.add(alarmState('webapp-unhealthy-hosts'));
    });
    expect(seen).toEqual(new Set(['OK']));
  });
});
