import { Template } from 'aws-cdk-lib/assertions';
import { ReferenceEnvironmentStack } from '../../infra/environment/reference-environment-stack';
import { defaultEnvironment, type MetricAlarmDescription } from '../../simulator/account/environment';
import { testApp } from './test-app';

/**
 * The simulated account's default environment is the reference environment: both read
 * infra/environment/settings.ts. This compares what each actually builds, so a hard-coded value on either
 * side that drifts from the settings fails here.
 */
const { app, cleanup } = testApp();
const template = Template.fromStack(new ReferenceEnvironmentStack(app, 'Parity', {}));
const simulated = defaultEnvironment();
afterAll(cleanup);

type Resource = { Properties: Record<string, unknown> };
const resources = (type: string) => Object.values(template.findResources(type)) as Resource[];

describe('the simulated account matches the reference environment stack', () => {
  it.each([
    ['main', simulated.mainTargetGroup],
    ['synthetic', simulated.syntheticTargetGroup],
  ])('%s target group: health check timing, thresholds and deregistration delay', (suffix, targetGroup) => {
    const stack = resources('AWS::ElasticLoadBalancingV2::TargetGroup').find(
      (tg) => tg.Properties.Name === `webapp-${suffix}`,
    );
    expect(stack?.Properties).toMatchObject({
      HealthCheckPath: targetGroup.healthCheck.path,
      HealthCheckIntervalSeconds: targetGroup.healthCheck.intervalSeconds,
      HealthCheckTimeoutSeconds: targetGroup.healthCheck.timeoutSeconds,
      HealthyThresholdCount: targetGroup.healthCheck.healthyThresholdCount,
      UnhealthyThresholdCount: targetGroup.healthCheck.unhealthyThresholdCount,
      Matcher: { HttpCode: targetGroup.healthCheck.matcherHttpCode },
      TargetGroupAttributes: expect.arrayContaining([
        {
          Key: 'deregistration_delay.timeout_seconds',
          Value: String(targetGroup.deregistrationDelaySeconds),
        },
      ]),
    });
  });

  it('groups: names, health check type and grace period', () => {
    const groups = resources('AWS::AutoScaling::AutoScalingGroup');
    for (const group of [simulated.groups.blue, simulated.groups.green]) {
      const stack = groups.find((candidate) => candidate.Properties.AutoScalingGroupName === group.name);
      expect(stack?.Properties).toMatchObject({
        HealthCheckType: group.healthCheckType,
        HealthCheckGracePeriod: group.healthCheckGracePeriodSeconds,
      });
    }
  });

  it('alarms: names, metrics, thresholds, periods and missing-data treatment', () => {
    const stackAlarms = resources('AWS::CloudWatch::Alarm');
    const metricAlarms = simulated.alarms.filter(
      (alarm): alarm is MetricAlarmDescription => alarm.type === 'metric',
    );
    expect(metricAlarms).toHaveLength(stackAlarms.length);
    for (const alarm of metricAlarms) {
      const stack = stackAlarms.find((candidate) => candidate.Properties.AlarmName === alarm.name);
      expect(stack?.Properties).toMatchObject({
        MetricName: alarm.metricName,
        Namespace: 'AWS/ApplicationELB',
        Threshold: alarm.threshold,
        ComparisonOperator: alarm.comparisonOperator,
        Period: alarm.periodSeconds,
        EvaluationPeriods: alarm.evaluationPeriods,
        DatapointsToAlarm: alarm.datapointsToAlarm,
        TreatMissingData: alarm.treatMissingData,
      });
    }
  });
});
