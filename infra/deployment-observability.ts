import { Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface DeploymentObservabilityProps {
  readonly applicationName: string;
  readonly stateMachine: sfn.StateMachine;
  /** The state machine's execution logs (level ALL): how each execution ended. */
  readonly executionLogs: logs.ILogGroup;
  /** Told when the failed-executions alarm goes to ALARM. */
  readonly topic: sns.ITopic;
  /** The alarms the rollback window watches, by name or ARN (metric or composite). */
  readonly watchedAlarms: readonly string[];
  readonly targetGroups: { readonly main: string; readonly synthetic: string };
}

/** Every widget's period: deployments are rare, a minute shows each one's steps. */
const PERIOD = Duration.minutes(1);
/** The alarm's period: one failed execution fires it, and it settles back to OK five minutes later. */
const ALARM_PERIOD = Duration.minutes(5);

/**
 * What an operator looks at (docs/operations.md, "Events, dashboard and alarm"): a CloudWatch dashboard per application, and an alarm on
 * executions that failed or timed out, told to the notification topic.
 */
export class DeploymentObservability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly failedExecutionsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeploymentObservabilityProps) {
    super(scope, id);
    const app = props.applicationName;
    this.failedExecutionsAlarm = failedExecutionsAlarm(this, props);

    const executions = (label: string, metric: (options: cloudwatch.MetricOptions) => cloudwatch.Metric) =>
      metric({ label, period: PERIOD, statistic: cloudwatch.Stats.SUM });
    const sm = props.stateMachine;
    const timeline = [
      executions('Started', (options) => sm.metricStarted(options)),
      executions('Succeeded (succeeded, skipped, nothing to do)', (options) => sm.metricSucceeded(options)),
      executions('Failed (rejected, aborted, rolled back, manual action)', (options) =>
        sm.metricFailed(options),
      ),
      executions('Stopped', (options) => sm.metricAborted(options)),
      executions('Timed out', (options) => sm.metricTimedOut(options)),
    ];
    const watched = props.watchedAlarms.map((nameOrArn, index) =>
      nameOrArn.startsWith('arn:')
        ? cloudwatch.Alarm.fromAlarmArn(this, `WatchedAlarm${index}`, nameOrArn)
        : cloudwatch.Alarm.fromAlarmName(this, `WatchedAlarm${index}`, nameOrArn),
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${app}-blue-green-deployments`,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown:
              `# ${app}: blue/green deployments\n` +
              `Each deployment is an execution of the state machine **${app}-blue-green-deployment**; ` +
              `milestones and outcomes also go to the notification topic and, as events of source ` +
              '`asg-blue-green`, to the default EventBridge bus (docs/events.md).',
            width: 24,
            height: 2,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Deployment timeline: executions started and ended, per minute',
            left: timeline,
            leftYAxis: { min: 0, showUnits: false },
            width: 12,
            height: 6,
          }),
          new cloudwatch.AlarmWidget({
            title: 'Executions failed or timed out (the alarm that tells the topic)',
            alarm: this.failedExecutionsAlarm,
            leftYAxis: { min: 0, showUnits: false },
            width: 12,
            height: 6,
          }),
        ],
        [watchedAlarmsWidget(watched)],
        [
          healthyHosts('Healthy hosts: main target group (users)', props.targetGroups.main),
          healthyHosts(
            'Healthy hosts: synthetic target group (the new version before the shift)',
            props.targetGroups.synthetic,
          ),
        ],
        [
          new cloudwatch.SingleValueWidget({
            title: 'Execution outcomes over the dashboard’s time range',
            metrics: timeline.map((metric) => metric.with({ period: Duration.days(1) })),
            setPeriodToTimeRange: true,
            width: 24,
            height: 3,
          }),
        ],
        [
          new cloudwatch.LogQueryWidget({
            title: 'Deployments, newest first: how each ended (the outcome, or the Fail state’s error)',
            logGroupNames: [props.executionLogs.logGroupName],
            queryLines: [
              'fields @timestamp, type, details.error as error',
              'filter type in ["ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"]',
              `parse details.output '"outcome":"*"' as outcome`,
              'parse execution_arn /:execution:[^:]+:(?<execution>.+)$/',
              'display @timestamp, execution, type, outcome, error',
              'sort @timestamp desc',
              'limit 50',
            ],
            view: cloudwatch.LogQueryVisualizationType.TABLE,
            width: 24,
            height: 6,
          }),
        ],
      ],
    });
  }
}

/** The alarms the rollback window watches, by state (an alarm status widget takes at most 100). */
function watchedAlarmsWidget(alarms: readonly cloudwatch.IAlarm[]): cloudwatch.IWidget {
  if (alarms.length === 0) {
    return new cloudwatch.TextWidget({
      markdown: '**No watched alarms** (`allowNoAlarms`): the rollback window watches target health only.',
      width: 24,
      height: 2,
    });
  }
  return new cloudwatch.AlarmStatusWidget({
    title: 'Watched alarms: one in ALARM during a rollback window rolls the deployment back',
    alarms: [...alarms],
    sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
    width: 24,
    height: Math.min(8, 2 + Math.ceil(alarms.length / 4)),
  });
}

/**
 * Every execution that failed or timed out (ExecutionsFailed + ExecutionsTimedOut): what it means for an
 * operator is in docs/operations.md, "Events, dashboard and alarm". One datapoint fires it; no data is not a failure.
 */
function failedExecutionsAlarm(scope: Construct, props: DeploymentObservabilityProps): cloudwatch.Alarm {
  const options = { period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM };
  const alarm = new cloudwatch.Alarm(scope, 'FailedExecutions', {
    alarmName: `${props.applicationName}-blue-green-deployment-failed`,
    alarmDescription:
      `A deployment of ${props.applicationName} did not succeed: it was rejected, aborted, rolled back, kept its ` +
      `first version serving, needs manual action, or timed out. The topic's outcome message says which and ` +
      `what to do; manual action needed and timed out need an operator now.`,
    metric: new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
      usingMetrics: {
        failed: props.stateMachine.metricFailed(options),
        timedOut: props.stateMachine.metricTimedOut(options),
      },
      label: 'Executions failed or timed out',
      period: ALARM_PERIOD,
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(props.topic));
  // The topic's policy (the construct's own topic has one: it enforces TLS) must let CloudWatch publish, for
  // this alarm only. A topic passed by ARN, or owned by another stack, keeps its own policy (writing the
  // alarm's ARN into another stack's policy would make each stack depend on the other): see docs/operations.md,
  // "Events, dashboard and alarm".
  if (Stack.of(props.topic) !== Stack.of(scope)) return alarm;
  props.topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchFailedExecutionsAlarm',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [props.topic.topicArn],
      conditions: {
        ArnEquals: { 'aws:SourceArn': alarm.alarmArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
      },
    }),
  );
  return alarm;
}

/**
 * HealthyHostCount and UnHealthyHostCount of a target group. ALB publishes them per target group and load
 * balancer; the configuration names no load balancer, so a SEARCH finds the target group's series whatever
 * load balancer it is behind.
 */
function healthyHosts(title: string, targetGroupArn: string): cloudwatch.GraphWidget {
  // The TargetGroup dimension is the ARN's resource part: targetgroup/NAME/ID.
  const dimension = Token.isUnresolved(targetGroupArn)
    ? Fn.select(5, Fn.split(':', targetGroupArn))
    : targetGroupArn.split(':')[5];
  const series = (metricName: string, label: string) =>
    new cloudwatch.MathExpression({
      expression: `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="${metricName}" TargetGroup="${dimension}"', 'Minimum', 60)`,
      usingMetrics: {},
      label,
      period: PERIOD,
    });
  return new cloudwatch.GraphWidget({
    title,
    left: [series('HealthyHostCount', 'Healthy'), series('UnHealthyHostCount', 'Unhealthy')],
    leftYAxis: { min: 0, showUnits: false },
    width: 12,
    height: 6,
  });
}
