import { Match, Template } from 'aws-cdk-lib/assertions';
import { ReferenceEnvironmentStack } from '../../infra/environment/reference-environment-stack';
import { referenceEnvironment, ReferenceEnvironmentSettings } from '../../infra/environment/settings';
import { testApp } from './test-app';

const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

// Other names and numbers than the defaults, to show that the stack takes them from the settings.
const settings: ReferenceEnvironmentSettings = {
  ...referenceEnvironment,
  applicationName: 'shop',
  syntheticHeader: { name: 'X-Canary', value: 'yes' },
  syntheticRulePriority: 5,
  healthCheck: {
    ...referenceEnvironment.healthCheck,
    path: '/ready',
    intervalSeconds: 15,
    matcherHttpCode: '200-299',
  },
  deregistrationDelaySeconds: 45,
  healthCheckGracePeriodSeconds: 90,
  initialCapacity: { min: 1, desired: 2, max: 4 },
  alarms: [referenceEnvironment.alarms[0]],
};

let stack: ReferenceEnvironmentStack;
let template: Template;
let cleanup: () => void;

beforeAll(() => {
  const test = testApp();
  cleanup = test.cleanup;
  stack = new ReferenceEnvironmentStack(test.app, 'Environment', { settings, certificateArn });
  template = Template.fromStack(stack);
});

afterAll(() => cleanup());

const listenerId = (port: number): string => {
  const ids = Object.keys(
    template.findResources('AWS::ElasticLoadBalancingV2::Listener', {
      Properties: Match.objectLike({ Port: port }),
    }),
  );
  expect(ids).toHaveLength(1);
  return ids[0];
};

it('serves users over HTTPS with the certificate, forwarding to the main target group by default', () => {
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 443,
    Protocol: 'HTTPS',
    Certificates: [{ CertificateArn: certificateArn }],
    SslPolicy: Match.stringLikeRegexp('^ELBSecurityPolicy-TLS13'),
    DefaultActions: [
      { Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^MainTargetGroup') } },
    ],
  });
});

it('redirects HTTP to HTTPS', () => {
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 80,
    Protocol: 'HTTP',
    DefaultActions: [
      { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
    ],
  });
});

it('puts the synthetic rule on the HTTPS listener, with the header and priority of the settings', () => {
  template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
    ListenerArn: { Ref: listenerId(443) },
    Priority: 5,
    Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['yes'] } }],
    Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^SyntheticTargetGroup') } }],
  });
  expect(stack.resolve(stack.productionListener.listenerArn)).toEqual({ Ref: listenerId(443) });
});

it('takes names, health checks, draining, grace period, capacity and alarms from the settings', () => {
  for (const name of ['shop-main', 'shop-synthetic']) {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Name: name,
      HealthCheckPath: '/ready',
      HealthCheckIntervalSeconds: 15,
      Matcher: { HttpCode: '200-299' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '45' }]),
    });
  }
  template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
    AutoScalingGroupName: 'shop-blue',
    MinSize: '1',
    DesiredCapacity: '2',
    MaxSize: '4',
    HealthCheckGracePeriod: 90,
  });
  template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
    AutoScalingGroupName: 'shop-green',
    MinSize: '0',
    MaxSize: '4',
    HealthCheckGracePeriod: 90,
  });
  template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
    LaunchTemplateName: 'shop-blue',
    LaunchTemplateData: Match.objectLike({
      UserData: { 'Fn::Base64': Match.stringLikeRegexp('HEALTH_PATH = "/ready"') },
    }),
  });
  template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  expect(stack.alarmNames).toEqual(['shop-target-5xx']);
  expect(template.findOutputs('AlarmNames').AlarmNames.Value).toBe('shop-target-5xx');
});

it('gives the synthetic-check endpoint as an https URL', () => {
  expect(stack.resolve(stack.loadBalancerUrl)).toEqual({
    'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^LoadBalancer/), 'DNSName'] }]],
  });
});
