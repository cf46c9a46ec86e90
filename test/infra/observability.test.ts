import { Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BlueGreenDeployment, type BlueGreenDeploymentProps } from '../../infra/blue-green-deployment';
import { loadConfig } from '../../infra/config';
import { EXAMPLE_CONFIG, synthExample, testApp } from '../support/synth';

/**
 * Issue 13, item 2, in the synthesized template: the milestone step and its grants, the dashboard, and the
 * alarm on failed or timed-out executions (README, "Operate it"; docs/events.md).
 */
const { template } = synthExample();
const MAIN = 'targetgroup/webapp-main/0123456789abcdef';
const SYNTHETIC = 'targetgroup/webapp-synthetic/fedcba9876543210';

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[] };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

/** The statements of the role of the step whose function id contains `step` (e.g. `publishmilestone`). */
function stepStatements(t: Template, step: string): Statement[] {
  const functions = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([id]) =>
    id.toLowerCase().includes(step),
  );
  expect(functions).toHaveLength(1);
  const role = ((functions[0][1] as Resource).Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify((policy as Resource).Properties.Roles).includes(role))
    .flatMap(
      (policy) => ((policy as Resource).Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
}

/** `arn:${Partition}:service:${Region}:${Account}:resource` as CDK writes it into the template. */
const stackArn = (service: string, resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});

/** The dashboard's body as JSON, every CloudFormation token written as `«Ref»` or `«GetAtt»`. */
function dashboardBody(t: Template): {
  widgets: { type: string; width: number; properties: Record<string, unknown> }[];
} {
  const dashboards = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = (dashboards[0] as Resource).Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) =>
      typeof part === 'string' ? part : `«${Object.keys(part as object)[0].replace('Fn::', '')}»`,
    )
    .join('');
  return JSON.parse(text);
}

describe('milestone events: the publish-milestone step and its grants', () => {
  const announcing = ['publishmilestone', 'reportoutcome'];

  it.each(announcing)('%s may put events on the default bus, with its own source only', (step) => {
    expect(stepStatements(template, step)).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Resource: stackArn('events', 'event-bus/default'),
          Condition: { 'ForAllValues:StringEquals': { 'events:source': ['asg-blue-green'] } },
        },
        {
          Effect: 'Allow',
          Action: 'sns:Publish',
          Resource: { Ref: expect.stringMatching(/Notifications/) },
        },
      ]),
    );
  });

  it('publish-milestone may do nothing else: no group, no target group, no other bus', () => {
    const actions = stepStatements(template, 'publishmilestone')
      .flatMap((statement) => ([] as string[]).concat(statement.Action))
      .filter((action) => !action.startsWith('xray:'));
    expect(actions.sort()).toEqual(['events:PutEvents', 'sns:Publish']);
  });

  it('with a topic encrypted by a customer managed key, both steps may use the key, and only that key', () => {
    const example = loadConfig(EXAMPLE_CONFIG);
    const stack = new Stack(testApp(), 'EncryptedTopic');
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    new BlueGreenDeployment(stack, 'Deployment', {
      ...(example.deployment as BlueGreenDeploymentProps),
      notificationTopic: { topicArn: 'arn:aws:sns:us-east-1:123456789012:deployments', kmsKeyArn: keyArn },
    });
    const encrypted = Template.fromStack(stack);
    for (const step of announcing) {
      expect(stepStatements(encrypted, step)).toEqual(
        expect.arrayContaining([
          {
            Effect: 'Allow',
            Action: 'sns:Publish',
            Resource: 'arn:aws:sns:us-east-1:123456789012:deployments',
          },
          { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: keyArn },
          expect.objectContaining({ Action: 'events:PutEvents' }),
        ]),
      );
    }
    // A topic passed by ARN keeps its own policy: the construct cannot add to it (README, "Operate it").
    encrypted.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    encrypted.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });
});

describe('a notification topic owned by another stack', () => {
  it('is told by the alarm without a policy written into that stack (which would make the stacks depend on each other)', () => {
    const example = loadConfig(EXAMPLE_CONFIG);
    const app = testApp();
    const topics = new Stack(app, 'Topics');
    const topic = new sns.Topic(topics, 'Deployments');
    const stack = new Stack(app, 'Orchestrator');
    new BlueGreenDeployment(stack, 'Deployment', {
      ...(example.deployment as BlueGreenDeploymentProps),
      notificationTopic: topic,
    });
    // Synthesizing both stacks is what fails on a dependency cycle.
    const orchestrator = Template.fromStack(stack);
    Template.fromStack(topics).resourceCountIs('AWS::SNS::TopicPolicy', 0);
    orchestrator.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [Match.objectLike({ 'Fn::ImportValue': Match.anyValue() })],
    });
  });
});

describe('the alarm on failed or timed-out executions', () => {
  it('fires on one failed or timed-out execution in 5 minutes, no data being no failure, and tells the topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'webapp-blue-green-deployment-failed',
      AlarmDescription: Match.stringLikeRegexp('manual action needed and timed out need an operator now'),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Notifications') }],
      Metrics: [
        Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(timedOut, 0)', ReturnData: true }),
        ...['ExecutionsFailed', 'ExecutionsTimedOut'].map((metricName) =>
          Match.objectLike({
            ReturnData: false,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/States',
                MetricName: metricName,
                Dimensions: [
                  { Name: 'StateMachineArn', Value: { Ref: Match.stringLikeRegexp('StateMachine') } },
                ],
              },
              Period: 300,
              Stat: 'Sum',
            },
          }),
        ),
      ],
    });
  });

  it('CloudWatch may publish to the construct’s own topic for this alarm only (the topic enforces TLS)', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Sid: 'CloudWatchFailedExecutionsAlarm',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('Notifications') },
            Condition: {
              ArnEquals: {
                'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedExecutions'), 'Arn'] },
              },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          },
        ]),
      },
    });
  });
});

describe('the dashboard', () => {
  const body = dashboardBody(template);
  const titled = (title: RegExp) => {
    const found = body.widgets.filter((widget) => title.test(String(widget.properties.title ?? '')));
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('is one per application, named after it', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'webapp-blue-green-deployments',
    });
  });

  it('shows the deployment timeline: executions started, succeeded, failed, stopped and timed out', () => {
    const timeline = titled(/^Deployment timeline/);
    const metrics = timeline.properties.metrics as unknown[][];
    expect(metrics.map((metric) => [metric[0], metric[1], metric[2]])).toEqual([
      ['AWS/States', 'ExecutionsStarted', 'StateMachineArn'],
      ['AWS/States', 'ExecutionsSucceeded', 'StateMachineArn'],
      ['AWS/States', 'ExecutionsFailed', 'StateMachineArn'],
      ['AWS/States', 'ExecutionsAborted', 'StateMachineArn'],
      ['AWS/States', 'ExecutionsTimedOut', 'StateMachineArn'],
    ]);
    for (const metric of metrics) expect(metric[4]).toMatchObject({ stat: 'Sum', period: 60 });
  });

  it('shows the watched alarms by state, and the failed-executions alarm', () => {
    const watched = titled(/^Watched alarms/);
    expect(watched.type).toBe('alarm');
    expect(watched.properties.alarms).toEqual(
      ['webapp-target-5xx', 'webapp-unhealthy-hosts', 'webapp-p99-latency'].map(
        (name) => `arn:«Ref»:cloudwatch:«Ref»:«Ref»:alarm:${name}`,
      ),
    );
    expect(titled(/^Executions failed or timed out/).properties.annotations).toEqual({
      alarms: ['«GetAtt»'],
    });
  });

  it.each([
    ['main', MAIN],
    ['synthetic', SYNTHETIC],
  ])(
    'shows healthy and unhealthy hosts of the %s target group, whatever load balancer it is behind',
    (name, dimension) => {
      const widget = titled(new RegExp(`^Healthy hosts: ${name} target group`));
      const expressions = (widget.properties.metrics as [{ expression: string; label: string }][]).map(
        ([metric]) => [metric.label, metric.expression],
      );
      expect(expressions).toEqual([
        [
          'Healthy',
          `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="HealthyHostCount" TargetGroup="${dimension}"', 'Minimum', 60)`,
        ],
        [
          'Unhealthy',
          `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="UnHealthyHostCount" TargetGroup="${dimension}"', 'Minimum', 60)`,
        ],
      ]);
    },
  );

  it('shows execution outcomes: totals over the time range, and how each deployment ended, from its logs', () => {
    const totals = titled(/^Execution outcomes/);
    expect(totals.properties).toMatchObject({ view: 'singleValue', setPeriodToTimeRange: true });
    const ended = titled(/^Deployments, newest first/);
    expect(ended.type).toBe('log');
    const query = String(ended.properties.query);
    expect(query).toMatch(/^SOURCE '«Ref»' \| fields @timestamp, type, details\.error as error/);
    expect(query).toContain(
      'filter type in ["ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"]',
    );
    expect(query).toContain(`parse details.output '"outcome":"*"' as outcome`);
    // The log group is the state machine's own execution log.
    const logGroups = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    const stateMachine = Object.values(
      template.findResources('AWS::StepFunctions::StateMachine'),
    )[0] as Resource;
    const destination = JSON.stringify(stateMachine.Properties.LoggingConfiguration);
    expect(logGroups.some((id) => id.includes('ExecutionLogs') && destination.includes(id))).toBe(true);
  });

  it('says so when no alarm is watched (allowNoAlarms)', () => {
    const example = loadConfig(EXAMPLE_CONFIG);
    const stack = new Stack(testApp(), 'NoAlarms');
    new BlueGreenDeployment(stack, 'Deployment', {
      ...(example.deployment as BlueGreenDeploymentProps),
      monitoring: { alarmNames: [], allowNoAlarms: true },
    });
    const noAlarms = dashboardBody(Template.fromStack(stack));
    expect(noAlarms.widgets.filter((widget) => widget.type === 'alarm')).toEqual([]);
    expect(JSON.stringify(noAlarms)).toContain('No watched alarms');
  });
});
