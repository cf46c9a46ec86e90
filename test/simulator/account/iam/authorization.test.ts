import {
  DescribeAutoScalingGroupsCommand,
  ResumeProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { ENCRYPTED_TOPIC } from '../../../../simulator/account/environment';
import type { PolicyStatement } from '../../../../simulator/account/iam/policy-evaluation';
import { actingAs, type Principal } from '../../../../simulator/account/iam/principal';
import { createHarness, rejection, type Harness } from '../harness';

const GROUP_ARN =
  'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/webapp-green';
const TEMPLATE_ARN = 'arn:aws:ec2:us-east-1:123456789012:launch-template/lt-06ee0000000000002';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/webapp-instance-role';

const step = (...statements: PolicyStatement[]): Principal => ({
  name: 'a-step',
  sessionArn: 'arn:aws:sts::123456789012:assumed-role/StepRole/a-step',
  policies: [{ Version: '2012-10-17', Statement: statements }],
});

/** What the launch step is granted (infra/step-permissions.ts), as the template carries it. */
const LAUNCH_GRANTS: PolicyStatement[] = [
  { Effect: 'Allow', Action: 'autoscaling:UpdateAutoScalingGroup', Resource: GROUP_ARN },
  {
    Effect: 'Allow',
    Action: 'ec2:RunInstances',
    Resource: '*',
    Condition: { ArnLike: { 'ec2:LaunchTemplate': TEMPLATE_ARN } },
  },
  {
    Effect: 'Allow',
    Action: 'ec2:CreateTags',
    Resource: 'arn:aws:ec2:us-east-1:123456789012:*/*',
    Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
  },
  {
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: ROLE_ARN,
    Condition: {
      StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'autoscaling.amazonaws.com'] },
    },
  },
];

const pointAtTemplate = new UpdateAutoScalingGroupCommand({
  AutoScalingGroupName: 'webapp-green',
  LaunchTemplate: { LaunchTemplateId: 'lt-06ee0000000000002', Version: '1' },
  MinSize: 0,
  MaxSize: 3,
  DesiredCapacity: 0,
});

describe('the simulated account authorizes every call made as a step (docs/aws-facts/iam-authorization.md)', () => {
  let h: Harness;
  beforeEach(() => (h = createHarness({ encryptedTopic: true })));
  afterEach(() => h.dispose());

  it('lets calls made outside a step (set-up, operators) through, as the account owner', async () => {
    await expect(h.asg.send(pointAtTemplate)).resolves.toBeDefined();
  });

  it('refuses an action the role does not grant, with AWS’s error name, status and message', async () => {
    const error = await rejection(
      actingAs(step(...LAUNCH_GRANTS), () =>
        h.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'webapp-green' })),
      ),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toMatch(
      /^User: arn:aws:sts::123456789012:assumed-role\/StepRole\/a-step is not authorized to perform: autoscaling:ResumeProcesses on resource: arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:[0-9a-f-]+:autoScalingGroupName\/webapp-green because no identity-based policy allows the autoscaling:ResumeProcesses action$/,
    );
  });

  it('Describe calls are authorized on *', async () => {
    const describe = new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['webapp-green'] });
    await expect(actingAs(step(...LAUNCH_GRANTS), () => h.asg.send(describe))).rejects.toThrow(
      /autoscaling:DescribeAutoScalingGroups on resource: \*/,
    );
    const reader = step({ Effect: 'Allow', Action: 'autoscaling:Describe*', Resource: '*' });
    await expect(actingAs(reader, () => h.asg.send(describe))).resolves.toBeDefined();
  });

  it('pointing a group at a launch template passes with the launch grants', async () => {
    await expect(actingAs(step(...LAUNCH_GRANTS), () => h.asg.send(pointAtTemplate))).resolves.toBeDefined();
  });

  it.each([
    ['ec2:RunInstances on the template', 'ec2:RunInstances'],
    ['iam:PassRole for the instance profile’s role', 'iam:PassRole'],
    ['ec2:CreateTags for the template’s tag specifications', 'ec2:CreateTags'],
  ])('pointing a group at a launch template also needs %s', async (_label, action) => {
    const grants = LAUNCH_GRANTS.filter((statement) => statement.Action !== action);
    const error = await rejection(actingAs(step(...grants), () => h.asg.send(pointAtTemplate)));
    expect([error.name, error.message]).toEqual([
      'AccessDenied',
      'You are not authorized to use launch template: lt-06ee0000000000002',
    ]);
  });

  it('CreateTags scoped by the template (not a documented key of tag-on-create) is not enough', async () => {
    const grants = LAUNCH_GRANTS.map((statement) =>
      statement.Action === 'ec2:CreateTags'
        ? { ...statement, Condition: { ArnLike: { 'ec2:LaunchTemplate': TEMPLATE_ARN } } }
        : statement,
    );
    await expect(actingAs(step(...grants), () => h.asg.send(pointAtTemplate))).rejects.toThrow(
      /not authorized to use launch template/,
    );
  });

  it('a size-only update is not a launch-template update: only the group action is checked', async () => {
    const grants = [LAUNCH_GRANTS[0]];
    const resize = new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'webapp-green', MaxSize: 4 });
    await expect(actingAs(step(...grants), () => h.asg.send(resize))).resolves.toBeDefined();
  });

  it('a new launch template version that keeps an instance profile passes its role', async () => {
    const create = new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: 'lt-06ee0000000000002',
      SourceVersion: '1',
      LaunchTemplateData: { ImageId: 'ami-0a1b2c3d4e5f60002' },
    });
    const own = {
      Effect: 'Allow' as const,
      Action: 'ec2:CreateLaunchTemplateVersion',
      Resource: TEMPLATE_ARN,
    };
    const error = await rejection(actingAs(step(own), () => h.ec2.send(create)));
    expect(error.name).toBe('UnauthorizedOperation');
    expect(error.message).toMatch(
      /iam:PassRole on resource: arn:aws:iam::123456789012:role\/webapp-instance-role/,
    );
    await expect(actingAs(step(own, LAUNCH_GRANTS[3]), () => h.ec2.send(create))).resolves.toBeDefined();
  });

  it('publishing to a KMS-encrypted topic needs the key too', async () => {
    const publish = new PublishCommand({ TopicArn: ENCRYPTED_TOPIC.topicArn, Message: 'hello' });
    const topicOnly = { Effect: 'Allow' as const, Action: 'sns:Publish', Resource: ENCRYPTED_TOPIC.topicArn };
    const error = await rejection(actingAs(step(topicOnly), () => h.sns.send(publish)));
    expect(error.name).toBe('KMSAccessDenied');
    const key = {
      Effect: 'Allow' as const,
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: ENCRYPTED_TOPIC.kmsKeyArn,
    };
    await expect(actingAs(step(topicOnly, key), () => h.sns.send(publish))).resolves.toBeDefined();
  });

  it('composite alarms are described only to a grant on *; metric alarms by alarm ARN', async () => {
    const byArn = step({
      Effect: 'Allow',
      Action: 'cloudwatch:DescribeAlarms',
      Resource: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:*',
    });
    const metricOnly = new DescribeAlarmsCommand({ AlarmNames: ['webapp-target-5xx'] });
    const both = new DescribeAlarmsCommand({
      AlarmNames: ['webapp-any-critical'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    await expect(actingAs(byArn, () => h.cloudWatch.send(metricOnly))).resolves.toBeDefined();
    await expect(actingAs(byArn, () => h.cloudWatch.send(both))).rejects.toThrow(
      /AccessDenied|not authorized/,
    );
  });

  it('an explicit deny wins over an allow', async () => {
    const denied = step(...LAUNCH_GRANTS, {
      Effect: 'Deny',
      Action: 'autoscaling:UpdateAutoScalingGroup',
      Resource: '*',
    });
    await expect(actingAs(denied, () => h.asg.send(pointAtTemplate))).rejects.toThrow(/explicit deny/);
  });
});
