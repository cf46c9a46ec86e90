import { CfnOutput, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ReferenceEnvironmentStack } from '../../infra/environment/reference-environment-stack';
import { alarmNames, referenceEnvironment as settings } from '../../infra/environment/settings';
import { testApp } from './test-app';

// One synth for the whole file: every test reads the same template.
let stack: ReferenceEnvironmentStack;
let consumer: Stack;
let template: Template;
let cleanup: () => void;

const logicalId = (type: string, props: Record<string, unknown>): string => {
  const ids = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(ids).toHaveLength(1);
  return ids[0];
};

beforeAll(() => {
  const test = testApp();
  cleanup = test.cleanup;
  stack = new ReferenceEnvironmentStack(test.app, 'Environment');
  // Another stack of the same app wired to the environment's properties, as the orchestrator's would be.
  consumer = new Stack(test.app, 'Consumer');
  new CfnOutput(consumer, 'MainTargetGroup', { value: stack.mainTargetGroupArn });
  new CfnOutput(consumer, 'BlueGroup', { value: stack.blueGroupName });
  template = Template.fromStack(stack);
});

afterAll(() => cleanup());

describe('load balancer', () => {
  it('is internet-facing in the public subnets and drops invalid headers', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
  });

  it('has one listener, HTTP on 80, whose default action forwards to the main target group', () => {
    const main = logicalId('AWS::ElasticLoadBalancingV2::TargetGroup', { Name: 'webapp-main' });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: main } }],
    });
  });

  it('forwards requests with the synthetic header to the synthetic target group, by a rule of the production listener', () => {
    const synthetic = logicalId('AWS::ElasticLoadBalancingV2::TargetGroup', { Name: 'webapp-synthetic' });
    const listener = logicalId('AWS::ElasticLoadBalancingV2::Listener', { Port: 80 });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: listener },
      Priority: settings.syntheticRulePriority,
      Conditions: [
        {
          Field: 'http-header',
          HttpHeaderConfig: { HttpHeaderName: 'Synthetic', Values: ['True'] },
        },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: synthetic } }],
    });
  });
});

describe('target groups', () => {
  it.each(['webapp-main', 'webapp-synthetic'])(
    '%s checks /health with the timing and draining of the settings',
    (name) => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Name: name,
        TargetType: 'instance',
        Protocol: 'HTTP',
        Port: 80,
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
        Matcher: { HttpCode: '200' },
        TargetGroupAttributes: Match.arrayWith([
          { Key: 'deregistration_delay.timeout_seconds', Value: String(settings.deregistrationDelaySeconds) },
        ]),
      });
    },
  );
});

describe('launch templates', () => {
  it.each(['webapp-blue', 'webapp-green'])(
    '%s requires IMDSv2, encrypts the root volume and runs the application',
    (name) => {
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateName: name,
        LaunchTemplateData: Match.objectLike({
          InstanceType: 't3.micro',
          ImageId: { Ref: Match.stringLikeRegexp('^SsmParameterValue.*al2023') },
          MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
          BlockDeviceMappings: [
            {
              DeviceName: '/dev/xvda',
              // No VolumeSize: the root volume takes the AMI snapshot's size, whatever AMI comes next.
              Ebs: { Encrypted: true, VolumeType: 'gp3', DeleteOnTermination: true },
            },
          ],
          UserData: { 'Fn::Base64': Match.stringLikeRegexp('X-App-Version') },
          IamInstanceProfile: Match.anyValue(),
        }),
      });
    },
  );

  it('give instances a role without any permission', () => {
    const role = logicalId('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
      }),
    });
    expect(template.findResources('AWS::IAM::Role')[role].Properties.ManagedPolicyArns).toBeUndefined();
    const policies = template.findResources('AWS::IAM::Policy');
    expect(Object.values(policies).filter((p) => JSON.stringify(p.Properties.Roles).includes(role))).toEqual(
      [],
    );
  });
});

describe('Auto Scaling groups', () => {
  const groups = () => template.findResources('AWS::AutoScaling::AutoScalingGroup');
  const group = (name: string) => {
    const found = Object.values(groups()).filter((g) => g.Properties.AutoScalingGroupName === name);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('blue serves at the initial capacity, attached to the main target group', () => {
    const main = logicalId('AWS::ElasticLoadBalancingV2::TargetGroup', { Name: 'webapp-main' });
    const blue = group('webapp-blue').Properties;
    expect([blue.MinSize, blue.DesiredCapacity, blue.MaxSize]).toEqual(['2', '3', '6']);
    expect(blue.TargetGroupARNs).toEqual([{ Ref: main }]);
  });

  it('green waits at zero, attached to nothing, with the same maximum', () => {
    const green = group('webapp-green').Properties;
    expect(green.MinSize).toBe('0');
    // No DesiredCapacity: the group starts at MinSize and CloudFormation never re-asserts a number.
    expect(green.DesiredCapacity).toBeUndefined();
    expect(green.MaxSize).toBe('6');
    expect(green.TargetGroupARNs).toBeUndefined();
  });

  it.each(['webapp-blue', 'webapp-green'])('%s uses ELB health checks with the grace period', (name) => {
    const props = group(name).Properties;
    expect(props.HealthCheckType).toBe('ELB');
    expect(props.HealthCheckGracePeriod).toBe(settings.healthCheckGracePeriodSeconds);
  });

  it.each([
    ['webapp-blue', 'BlueLaunchTemplate'],
    ['webapp-green', 'GreenLaunchTemplate'],
  ])(
    '%s starts on version 1 of its own launch template, which later deploys leave alone',
    (name, template_) => {
      const launchTemplate = group(name).Properties.LaunchTemplate;
      expect(launchTemplate.LaunchTemplateId.Ref).toMatch(new RegExp(`^${template_}`));
      expect(launchTemplate.Version).toBe('1');
    },
  );

  it.each(['webapp-blue', 'webapp-green'])('%s keeps its sizes on later deploys', (name) => {
    expect(group(name).UpdatePolicy).toEqual({
      AutoScalingScheduledAction: { IgnoreUnmodifiedGroupSizeProperties: true },
    });
  });

  it.each(['webapp-blue', 'webapp-green'])('%s runs in the isolated subnets of both AZs', (name) => {
    const subnets = group(name).Properties.VPCZoneIdentifier as { Ref: string }[];
    expect(subnets.map((s) => s.Ref)).toEqual([
      expect.stringMatching(/^VpcapplicationSubnet1/),
      expect.stringMatching(/^VpcapplicationSubnet2/),
    ]);
  });
});

describe('network', () => {
  it('has two AZs of public and isolated subnets, no NAT gateway, and flow logs', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });

  it('lets instances receive HTTP from the load balancer only and send nothing', () => {
    const instances = logicalId('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^webapp instances'),
    });
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (rule) => rule.Properties.GroupId['Fn::GetAtt'][0] === instances,
    );
    expect(ingress).toHaveLength(1);
    expect(ingress[0].Properties).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [expect.stringMatching(/^LoadBalancerSecurityGroup/), 'GroupId'],
      },
    });
    const egress =
      template.findResources('AWS::EC2::SecurityGroup')[instances].Properties.SecurityGroupEgress;
    expect(egress).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' }),
    ]);
  });
});

describe('alarms', () => {
  it('creates one alarm per entry of the settings', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', settings.alarms.length);
  });

  it.each(settings.alarms.map((alarm) => [alarm.suffix, alarm] as const))(
    '%s watches its target group (main unless it says synthetic) as the settings say',
    (suffix, alarm) => {
      const main = logicalId('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Name: alarm.targetGroup === 'synthetic' ? 'webapp-synthetic' : 'webapp-main',
      });
      const percentile = alarm.statistic.startsWith('p');
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `webapp-${suffix}`,
        AlarmDescription: alarm.description,
        Namespace: 'AWS/ApplicationELB',
        MetricName: alarm.metricName,
        Dimensions: [
          {
            Name: 'LoadBalancer',
            Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoadBalancer'), 'LoadBalancerFullName'] },
          },
          { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [main, 'TargetGroupFullName'] } },
        ],
        ...(percentile ? { ExtendedStatistic: alarm.statistic } : { Statistic: alarm.statistic }),
        Period: alarm.periodSeconds,
        Threshold: alarm.threshold,
        EvaluationPeriods: alarm.evaluationPeriods,
        DatapointsToAlarm: alarm.datapointsToAlarm,
        ComparisonOperator: alarm.comparisonOperator,
        TreatMissingData: alarm.treatMissingData,
        AlarmActions: Match.absent(),
      });
    },
  );

  it('treats missing 5xx data as not breaching: the metric is only reported when non-zero', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HTTPCode_Target_5XX_Count',
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('outputs and properties', () => {
  it('outputs everything the orchestrator is configured with', () => {
    const outputs = template.findOutputs('*');
    // ExportsOutput* are CDK's exports for the consumer stack's cross-stack references.
    expect(
      Object.keys(outputs)
        .filter((id) => !id.startsWith('ExportsOutput'))
        .sort(),
    ).toEqual(
      [
        'AlarmNames',
        'ApplicationName',
        'BlueGroupName',
        'BlueLaunchTemplateId',
        'GreenGroupName',
        'GreenLaunchTemplateId',
        'LoadBalancerDnsName',
        'LoadBalancerUrl',
        'MainTargetGroupArn',
        'ProductionListenerArn',
        'ScalingEventsTopicArn',
        'SyntheticTargetGroupArn',
      ].sort(),
    );
    expect(outputs.ApplicationName.Value).toBe('webapp');
    expect(outputs.BlueGroupName.Value).toBe('webapp-blue');
    expect(outputs.GreenGroupName.Value).toBe('webapp-green');
    expect(outputs.AlarmNames.Value).toBe(
      'webapp-target-5xx,webapp-synthetic-target-5xx,webapp-unhealthy-hosts,webapp-p99-latency',
    );
    expect(outputs.MainTargetGroupArn.Value).toEqual({ Ref: expect.stringMatching(/^MainTargetGroup/) });
    expect(outputs.SyntheticTargetGroupArn.Value).toEqual({
      Ref: expect.stringMatching(/^SyntheticTargetGroup/),
    });
    expect(outputs.BlueLaunchTemplateId.Value).toEqual({ Ref: expect.stringMatching(/^BlueLaunchTemplate/) });
    expect(outputs.GreenLaunchTemplateId.Value).toEqual({
      Ref: expect.stringMatching(/^GreenLaunchTemplate/),
    });
    expect(outputs.LoadBalancerUrl.Value).toEqual({
      'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [expect.stringMatching(/^LoadBalancer/), 'DNSName'] }]],
    });
  });

  it('exposes the names as plain strings and the alarm names of the settings', () => {
    expect(stack.applicationName).toBe('webapp');
    expect(stack.blueGroupName).toBe('webapp-blue');
    expect(stack.greenGroupName).toBe('webapp-green');
    expect(stack.alarmNames).toEqual(alarmNames(settings));
    expect(stack.alarms).toHaveLength(settings.alarms.length);
  });

  it('exposes ARNs and ids that resolve to the resources of the stack', () => {
    const resolve = (value: string) => stack.resolve(value) as unknown;
    expect(resolve(stack.mainTargetGroupArn)).toEqual({ Ref: expect.stringMatching(/^MainTargetGroup/) });
    expect(resolve(stack.syntheticTargetGroupArn)).toEqual({
      Ref: expect.stringMatching(/^SyntheticTargetGroup/),
    });
    expect(resolve(stack.blueLaunchTemplateId)).toEqual({
      Ref: expect.stringMatching(/^BlueLaunchTemplate/),
    });
    expect(resolve(stack.greenLaunchTemplateId)).toEqual({
      Ref: expect.stringMatching(/^GreenLaunchTemplate/),
    });
    expect(JSON.stringify(resolve(stack.blueGroupArn))).toContain('autoScalingGroup:*:autoScalingGroupName/');
    expect(JSON.stringify(resolve(stack.greenGroupArn))).toContain(
      'autoScalingGroup:*:autoScalingGroupName/',
    );
    expect(resolve(stack.loadBalancerUrl)).toEqual(
      Template.fromStack(stack).findOutputs('LoadBalancerUrl').LoadBalancerUrl.Value,
    );
  });

  it('can be referenced from another stack of the same app', () => {
    const outputs = Template.fromStack(consumer).findOutputs('*');
    expect(outputs.MainTargetGroup.Value).toEqual({
      'Fn::ImportValue': expect.stringContaining('MainTargetGroup'),
    });
    expect(outputs.BlueGroup.Value).toBe('webapp-blue');
  });

  it('synthesizes without CDK warnings', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
