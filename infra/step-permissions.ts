import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { StepHandler } from '../state-machine/step-handlers';

/** The resources the deployment may touch; every mutating permission is scoped to them. */
export interface DeploymentResources {
  readonly groupNames: readonly string[];
  readonly targetGroupArns: readonly string[];
  /** Launch templates of the two groups; absent: any launch template in the account and Region. */
  readonly launchTemplateIds?: readonly string[];
  /** Roles of the templates' instance profiles, which launching on a template passes to EC2. */
  readonly instanceRoleArns?: readonly string[];
  readonly stateMachineArn: string;
  readonly topicArn: string;
  /** The KMS key the topic is encrypted with, if any. */
  readonly topicKeyArn?: string;
}

/**
 * Describe and List actions that AWS does not authorise per resource: they are granted on `*` and only
 * read. Everything else names its resources.
 */
const READ_ONLY_UNSCOPED = {
  groups: 'autoscaling:DescribeAutoScalingGroups',
  trafficSources: 'autoscaling:DescribeTrafficSources',
  images: 'ec2:DescribeImages',
  templateVersions: 'ec2:DescribeLaunchTemplateVersions',
  targetHealth: 'elasticloadbalancing:DescribeTargetHealth',
  // DescribeAlarms can be scoped to alarm ARNs, but returns composite alarms only to a grant on `*`
  // (docs/aws-facts/iam-authorization.md), and the watched alarms may be composite.
  alarms: 'cloudwatch:DescribeAlarms',
  instanceRefreshes: 'autoscaling:DescribeInstanceRefreshes',
  targetGroups: 'elasticloadbalancing:DescribeTargetGroups',
  listeners: 'elasticloadbalancing:DescribeListeners',
  rules: 'elasticloadbalancing:DescribeRules',
} as const;

/**
 * Least-privilege statements for one step: exactly the actions its calls need, measured by
 * `npm run check:permissions` (each grant removed in turn must make a scenario fail).
 */
export function stepPermissions(
  stack: Stack,
  step: StepHandler,
  resources: DeploymentResources,
): iam.PolicyStatement[] {
  const groupArns = resources.groupNames.map((name) =>
    stack.formatArn({
      service: 'autoscaling',
      resource: 'autoScalingGroup',
      resourceName: `*:autoScalingGroupName/${name}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  );
  const launchTemplateArns = (resources.launchTemplateIds ?? ['*']).map((id) =>
    stack.formatArn({ service: 'ec2', resource: 'launch-template', resourceName: id }),
  );
  const read = (...actions: string[]) => new iam.PolicyStatement({ actions, resources: ['*'] });
  const onGroups = (...actions: string[]) => new iam.PolicyStatement({ actions, resources: groupArns });
  const { groups, trafficSources, images, templateVersions, targetHealth, alarms } = READ_ONLY_UNSCOPED;
  const { instanceRefreshes, targetGroups, listeners, rules } = READ_ONLY_UNSCOPED;

  switch (step) {
    case 'validate-request':
      return [read(images)];
    case 'guard-single-deployment':
      return [
        new iam.PolicyStatement({
          actions: ['states:ListExecutions'],
          resources: [resources.stateMachineArn],
        }),
      ];
    case 'resolve-roles':
      return [read(groups, trafficSources)];
    case 'check-group-empty':
    case 'check-instances-in-service':
    case 'check-instances-in-standby':
      return [read(groups)];
    case 'check-target-groups-detached':
      return [read(trafficSources)];
    case 'preflight-checks':
      return [
        read(groups, templateVersions, alarms, instanceRefreshes, targetGroups, listeners, rules),
        new iam.PolicyStatement({
          actions: ['iam:GetInstanceProfile'],
          resources: [
            stack.formatArn({ service: 'iam', region: '', resource: 'instance-profile', resourceName: '*' }),
          ],
        }),
      ];
    case 'check-targets-healthy':
      return [read(groups, targetHealth)];
    case 'scale-group-to-zero':
      return [read(groups), onGroups('autoscaling:UpdateAutoScalingGroup')];
    case 'launch-new-version':
      return [
        read(groups, templateVersions),
        // ResumeProcesses: an interrupted deployment can leave this group's processes suspended.
        onGroups(
          'autoscaling:UpdateAutoScalingGroup',
          'autoscaling:DeleteTags',
          'autoscaling:ResumeProcesses',
        ),
        new iam.PolicyStatement({
          actions: ['ec2:CreateLaunchTemplateVersion'],
          resources: launchTemplateArns,
        }),
        // Pointing a group at a launch template is authorized as launching from it: RunInstances on the
        // template and what it launches, CreateTags for its tag specifications, PassRole for its instance
        // profile's role (docs/aws-facts/iam-authorization.md, "UpdateAutoScalingGroup").
        new iam.PolicyStatement({
          actions: ['ec2:RunInstances'],
          resources: ['*'],
          conditions: { ArnLike: { 'ec2:LaunchTemplate': launchTemplateArns } },
        }),
        // Tags applied by a launch: AWS scopes them by the creating action, not by the template.
        new iam.PolicyStatement({
          actions: ['ec2:CreateTags'],
          resources: [stack.formatArn({ service: 'ec2', resource: '*', resourceName: '*' })],
          conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
        }),
        ...(resources.instanceRoleArns && resources.instanceRoleArns.length > 0
          ? [
              new iam.PolicyStatement({
                actions: ['iam:PassRole'],
                resources: [...resources.instanceRoleArns],
                // EC2 receives the role at launch; AWS's action map names Auto Scaling as the receiver of
                // the group update's check (which of the two the check carries is UNCONFIRMED): allow both,
                // for these roles only.
                conditions: {
                  StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'autoscaling.amazonaws.com'] },
                },
              }),
            ]
          : []),
      ];
    case 'attach-target-groups':
      return [read(trafficSources), onGroups('autoscaling:AttachTrafficSources')];
    case 'detach-target-groups':
      return [read(trafficSources), onGroups('autoscaling:DetachTrafficSources')];
    case 'run-synthetic-checks':
      return [];
    case 'enter-standby':
      return [
        read(groups, targetHealth),
        onGroups(
          'autoscaling:SuspendProcesses',
          'autoscaling:UpdateAutoScalingGroup',
          'autoscaling:EnterStandby',
        ),
      ];
    case 'monitor-new-version':
      return [read(groups, targetHealth, alarms)];
    case 'retire-old-fleet':
      return [
        read(groups, trafficSources),
        onGroups(
          'autoscaling:ExitStandby',
          'autoscaling:UpdateAutoScalingGroup',
          'autoscaling:ResumeProcesses',
        ),
      ];
    case 'restore-old-fleet':
      return [
        read(groups, trafficSources),
        onGroups(
          // Re-attaches the old group if it was detached by hand during the window (no scenario does).
          'autoscaling:AttachTrafficSources',
          'autoscaling:ResumeProcesses',
          'autoscaling:ExitStandby',
          'autoscaling:UpdateAutoScalingGroup',
        ),
      ];
    case 'report-outcome':
      return [
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [resources.topicArn] }),
        // Publishing to a topic encrypted with a customer managed key uses the key as the publisher.
        ...(resources.topicKeyArn
          ? [
              new iam.PolicyStatement({
                actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
                resources: [resources.topicKeyArn],
              }),
            ]
          : []),
      ];
  }
}

/** The ARN a state machine of this name will have, known before it exists (breaks the guard's cycle). */
export function stateMachineArnFor(stack: Stack, name: string): string {
  return Arn.format(
    {
      service: 'states',
      resource: 'stateMachine',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    },
    stack,
  );
}
