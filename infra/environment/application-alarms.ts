import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ReferenceEnvironmentSettings } from './settings';

export interface ApplicationAlarmsProps {
  readonly settings: ReferenceEnvironmentSettings;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The alarms watch this group, which holds exactly the fleet that serves users… */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** …except those set on this one: a shift by weight serves the new version's share from it. */
  readonly syntheticTargetGroup: elbv2.ApplicationTargetGroup;
}

const COMPARISON = {
  GreaterThanOrEqualToThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  GreaterThanThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
} as const;

const TREAT_MISSING_DATA = {
  notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
  missing: cloudwatch.TreatMissingData.MISSING,
  breaching: cloudwatch.TreatMissingData.BREACHING,
  ignore: cloudwatch.TreatMissingData.IGNORE,
} as const;

/**
 * One CloudWatch alarm per entry of `settings.alarms`, on the ALB metrics of its target group. They
 * have no actions: the orchestrator polls their state during a deployment's monitoring window.
 */
export class ApplicationAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ApplicationAlarmsProps) {
    super(scope, id);
    const { settings } = props;
    this.alarms = settings.alarms.map(
      (alarm) =>
        new cloudwatch.Alarm(this, alarm.suffix, {
          alarmName: `${settings.applicationName}-${alarm.suffix}`,
          alarmDescription: alarm.description,
          metric: new cloudwatch.Metric({
            namespace: 'AWS/ApplicationELB',
            metricName: alarm.metricName,
            dimensionsMap: {
              LoadBalancer: props.loadBalancer.loadBalancerFullName,
              TargetGroup: (alarm.targetGroup === 'synthetic'
                ? props.syntheticTargetGroup
                : props.targetGroup
              ).targetGroupFullName,
            },
            statistic: alarm.statistic,
            period: Duration.seconds(alarm.periodSeconds),
          }),
          threshold: alarm.threshold,
          comparisonOperator: COMPARISON[alarm.comparisonOperator],
          evaluationPeriods: alarm.evaluationPeriods,
          datapointsToAlarm: alarm.datapointsToAlarm,
          treatMissingData: TREAT_MISSING_DATA[alarm.treatMissingData],
        }),
    );
  }
}
