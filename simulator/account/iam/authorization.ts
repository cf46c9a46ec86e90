// Over 250 lines: the authorization table: one entry per operation the account serves, with its resources and condition keys.
/**
 * What AWS authorizes for each call the simulated account serves: the IAM action, the resource it acts on,
 * the request context keys, and the further actions AWS checks on other resources. The rules and their
 * sources are in docs/aws-facts/iam-authorization.md; an operation not listed here is refused loudly, so a
 * new call cannot slip through unauthorized.
 */
import { serviceError, type ServiceName } from '../errors';
import { eventBusArn } from '../eventbridge';
import { evaluate, type AuthorizationRequest } from './policy-evaluation';
import type { Principal } from './principal';

/** A launch template version as AWS reads it when a group is pointed at it. */
export interface LaunchTemplateUse {
  readonly templateArn: string;
  readonly imageId?: string;
  /** The instance profile the version names, if any: its role is passed to EC2 at every launch. */
  readonly instanceProfileRoleArn?: string;
  readonly hasTagSpecifications: boolean;
}

/** What the authorizer needs to know of the account's resources. */
export interface AccountLookups {
  readonly region: string;
  readonly accountId: string;
  groupArn(name: string): string | undefined;
  groupTags(name: string): Readonly<Record<string, string>>;
  launchTemplateUse(spec: {
    LaunchTemplateId?: string;
    LaunchTemplateName?: string;
    Version?: string;
  }): LaunchTemplateUse | undefined;
  /** The KMS key a topic is encrypted with, if any. */
  topicKey(topicArn: string): string | undefined;
}

type Input = Record<string, unknown>;
type Rule = (input: Input, account: AccountLookups) => AuthorizationRequest[];

/** Describe and List calls that support no resource-level permissions: authorized on `*`. */
const unscoped: Rule = () => [];

function onGroup(action: string): Rule {
  return (input, account) => [groupRequest(action, String(input.AutoScalingGroupName ?? ''), account)];
}

function groupRequest(action: string, name: string, account: AccountLookups): AuthorizationRequest {
  // A group that does not exist is authorized against its name (the id part unknown), and then not found.
  const resource =
    account.groupArn(name) ??
    `arn:aws:autoscaling:${account.region}:${account.accountId}:autoScalingGroup:*:autoScalingGroupName/${name}`;
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(account.groupTags(name))) {
    context[`autoscaling:ResourceTag/${key}`] = value;
    context[`aws:ResourceTag/${key}`] = value;
  }
  return { action, resource, context };
}

/**
 * Pointing a group at a launch template is authorized as launching from it: ec2:RunInstances on the
 * template and what it launches, iam:PassRole for its instance profile's role, ec2:CreateTags when it tags
 * at launch ("Amazon EC2 Auto Scaling API permissions", Required permissions from other AWS APIs).
 */
function launchTemplateRequests(input: Input, account: AccountLookups): AuthorizationRequest[] {
  const spec = (input.LaunchTemplate ??
    (input.MixedInstancesPolicy as { LaunchTemplate?: { LaunchTemplateSpecification?: unknown } } | undefined)
      ?.LaunchTemplate?.LaunchTemplateSpecification) as Parameters<AccountLookups['launchTemplateUse']>[0];
  if (!spec) return [];
  const use = account.launchTemplateUse(spec);
  if (!use) return [];
  const ec2 = (resource: string) => `arn:aws:ec2:${account.region}:${account.accountId}:${resource}`;
  const launchContext = { 'ec2:LaunchTemplate': use.templateArn };
  const launched = [
    use.templateArn,
    `arn:aws:ec2:${account.region}::image/${use.imageId ?? '*'}`,
    ec2('instance/*'),
    ec2('volume/*'),
    ec2('network-interface/*'),
    ec2('subnet/*'),
    ec2('security-group/*'),
  ];
  const requests: AuthorizationRequest[] = launched.map((resource) => ({
    action: 'ec2:RunInstances',
    resource,
    context: launchContext,
  }));
  if (use.instanceProfileRoleArn) {
    requests.push({
      action: 'iam:PassRole',
      resource: use.instanceProfileRoleArn,
      context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    });
  }
  if (use.hasTagSpecifications) {
    for (const resource of [ec2('instance/*'), ec2('volume/*')]) {
      requests.push({
        action: 'ec2:CreateTags',
        resource,
        // Only the keys AWS documents for tag-on-create (ec2:CreateAction); whether ec2:LaunchTemplate is
        // also in the context of a CreateTags check is UNCONFIRMED, so a policy may not rely on it.
        context: { 'ec2:CreateAction': 'RunInstances' },
      });
    }
  }
  return requests;
}

function tagRequests(action: string): Rule {
  return (input, account) => {
    const tags = (input.Tags as { ResourceId?: string; Key?: string }[] | undefined) ?? [];
    return [...new Set(tags.map((tag) => tag.ResourceId ?? ''))].map((name) => ({
      ...groupRequest(action, name, account),
    }));
  };
}

/** An AMI's ARN: EC2 image ARNs carry no account ("Actions, resources, and condition keys for Amazon EC2"). */
function imageArn(account: AccountLookups, imageId: unknown): string {
  return `arn:aws:ec2:${account.region}::image/${String(imageId ?? '*')}`;
}

const RULES: Record<ServiceName | 'states', Record<string, Rule>> = {
  autoscaling: {
    DescribeAutoScalingGroups: unscoped,
    DescribeTrafficSources: unscoped,
    DescribeLoadBalancerTargetGroups: unscoped,
    DescribeScalingActivities: unscoped,
    DescribeTags: unscoped,
    DescribeInstanceRefreshes: unscoped,
    DescribeAutoScalingInstances: unscoped,
    DescribeLifecycleHooks: unscoped,
    DescribeWarmPool: unscoped,
    UpdateAutoScalingGroup: (input, account) => [
      ...onGroup('autoscaling:UpdateAutoScalingGroup')(input, account),
      ...launchTemplateRequests(input, account),
    ],
    SetDesiredCapacity: onGroup('autoscaling:SetDesiredCapacity'),
    AttachTrafficSources: onGroup('autoscaling:AttachTrafficSources'),
    DetachTrafficSources: onGroup('autoscaling:DetachTrafficSources'),
    AttachLoadBalancerTargetGroups: onGroup('autoscaling:AttachLoadBalancerTargetGroups'),
    DetachLoadBalancerTargetGroups: onGroup('autoscaling:DetachLoadBalancerTargetGroups'),
    EnterStandby: onGroup('autoscaling:EnterStandby'),
    ExitStandby: onGroup('autoscaling:ExitStandby'),
    SuspendProcesses: onGroup('autoscaling:SuspendProcesses'),
    ResumeProcesses: onGroup('autoscaling:ResumeProcesses'),
    // "Actions, resources, and condition keys for Amazon EC2 Auto Scaling": each on the group's ARN.
    SetInstanceProtection: onGroup('autoscaling:SetInstanceProtection'),
    PutLifecycleHook: onGroup('autoscaling:PutLifecycleHook'),
    DeleteLifecycleHook: onGroup('autoscaling:DeleteLifecycleHook'),
    CompleteLifecycleAction: onGroup('autoscaling:CompleteLifecycleAction'),
    RecordLifecycleActionHeartbeat: onGroup('autoscaling:RecordLifecycleActionHeartbeat'),
    PutWarmPool: onGroup('autoscaling:PutWarmPool'),
    DeleteWarmPool: onGroup('autoscaling:DeleteWarmPool'),
    StartInstanceRefresh: onGroup('autoscaling:StartInstanceRefresh'),
    CancelInstanceRefresh: onGroup('autoscaling:CancelInstanceRefresh'),
    CreateOrUpdateTags: tagRequests('autoscaling:CreateOrUpdateTags'),
    DeleteTags: tagRequests('autoscaling:DeleteTags'),
  },
  ec2: {
    DescribeImages: unscoped,
    DescribeLaunchTemplates: unscoped,
    DescribeLaunchTemplateVersions: unscoped,
    CreateLaunchTemplateVersion: (input, account) => {
      const templateId = String(input.LaunchTemplateId ?? '*');
      const resource = `arn:aws:ec2:${account.region}:${account.accountId}:launch-template/${templateId}`;
      // A version that names an instance profile (its own or inherited from SourceVersion) passes its role
      // to EC2 (AWS's operation-to-action map; docs/aws-facts/iam-authorization.md).
      const source = account.launchTemplateUse({
        LaunchTemplateId: templateId,
        Version: input.SourceVersion === undefined ? undefined : String(input.SourceVersion),
      });
      const role = source?.instanceProfileRoleArn;
      const ownProfile = (input.LaunchTemplateData as { IamInstanceProfile?: unknown } | undefined)
        ?.IamInstanceProfile;
      return [
        { action: 'ec2:CreateLaunchTemplateVersion', resource },
        ...(role && ownProfile === undefined
          ? [
              {
                action: 'iam:PassRole',
                resource: role,
                context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
              },
            ]
          : []),
      ];
    },
    // The owner's AMI operations: each on the image it names; CopyImage on the source and the new AMI
    // (UNCONFIRMED: which resources AWS checks for a copy; docs/aws-facts/launch-templates-and-amis.md).
    CopyImage: (input, account) => [
      { action: 'ec2:CopyImage', resource: imageArn(account, input.SourceImageId) },
      { action: 'ec2:CopyImage', resource: imageArn(account, '*') },
    ],
    EnableImage: (input, account) => [
      { action: 'ec2:EnableImage', resource: imageArn(account, input.ImageId) },
    ],
    DisableImage: (input, account) => [
      { action: 'ec2:DisableImage', resource: imageArn(account, input.ImageId) },
    ],
    ModifyLaunchTemplate: (input, account) => [
      {
        action: 'ec2:ModifyLaunchTemplate',
        resource: `arn:aws:ec2:${account.region}:${account.accountId}:launch-template/${String(input.LaunchTemplateId ?? '*')}`,
      },
    ],
  },
  elasticloadbalancing: {
    DescribeTargetHealth: unscoped,
    DescribeTargetGroups: unscoped,
    // Like every ELB Describe action, no resource-level permissions: authorized on `*` only
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html).
    DescribeTargetGroupAttributes: unscoped,
    DescribeListeners: unscoped,
    DescribeRules: unscoped,
    DescribeLoadBalancers: unscoped,
    // Authorized on the listener (resource type listener/app); the target groups its actions name are not
    // authorized (docs/aws-facts/iam-authorization.md#elastic-load-balancing-v2-prefix-elasticloadbalancing).
    ModifyListener: (input) => [
      { action: 'elasticloadbalancing:ModifyListener', resource: String(input.ListenerArn ?? '') },
    ],
  },
  cloudwatch: {
    // No resource types: authorized on `*` (docs/aws-facts/cloudwatch-metrics.md#iam).
    GetMetricData: unscoped,
    // Metric alarms can be granted by alarm ARN; composite alarms are returned only to a grant on `*`.
    DescribeAlarms: (input, account) => {
      const names = (input.AlarmNames as string[] | undefined) ?? [];
      const types = (input.AlarmTypes as string[] | undefined) ?? [];
      if (names.length === 0 || types.includes('CompositeAlarm')) {
        return [{ action: 'cloudwatch:DescribeAlarms', resource: '*' }];
      }
      return names.map((name) => ({
        action: 'cloudwatch:DescribeAlarms',
        resource: `arn:aws:cloudwatch:${account.region}:${account.accountId}:alarm:${name}`,
      }));
    },
  },
  sns: {
    Publish: (input, account) => {
      const topicArn = String(input.TopicArn ?? '');
      const key = account.topicKey(topicArn);
      // Publishing to an encrypted topic makes SNS generate and use a data key as the publisher.
      const keyRequests = key
        ? ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({ action, resource: key }))
        : [];
      return [{ action: 'sns:Publish', resource: topicArn }, ...keyRequests];
    },
  },
  events: {
    // Each entry is authorized on the event bus it names, with its source and detail type as the condition
    // keys events:source (multivalued, as AWS's example policy treats it) and events:detail-type. A denied
    // entry refuses the whole call here; AWS also lists per-entry codes for it (docs/aws-facts/eventbridge.md).
    PutEvents: (input, account) =>
      (
        (input.Entries as { EventBusName?: string; Source?: string; DetailType?: string }[] | undefined) ?? []
      ).map((entry) => ({
        action: 'events:PutEvents',
        resource: eventBusArn(entry.EventBusName, account.region, account.accountId),
        context: {
          'events:source': entry.Source === undefined ? [] : [entry.Source],
          'events:detail-type': entry.DetailType,
        },
      })),
  },
  states: {
    ListExecutions: (input) => [{ action: 'states:ListExecutions', resource: String(input.stateMachineArn) }],
    StartExecution: (input) => [{ action: 'states:StartExecution', resource: String(input.stateMachineArn) }],
    DescribeExecution: (input) => [
      { action: 'states:DescribeExecution', resource: String(input.executionArn) },
    ],
    GetExecutionHistory: (input) => [
      { action: 'states:GetExecutionHistory', resource: String(input.executionArn) },
    ],
    StopExecution: (input) => [{ action: 'states:StopExecution', resource: String(input.executionArn) }],
    // A token names no resource the caller could scope a grant to: authorized on `*` (UNCONFIRMED,
    // docs/aws-facts/step-functions.md#callbacks).
    SendTaskSuccess: () => [{ action: 'states:SendTaskSuccess', resource: '*' }],
    SendTaskFailure: () => [{ action: 'states:SendTaskFailure', resource: '*' }],
  },
  // imagebuilder:GetImage on the image (build version) it names (docs/aws-facts/image-builder.md#iam).
  imagebuilder: {
    GetImage: (input) => [
      { action: 'imagebuilder:GetImage', resource: String(input.imageBuildVersionArn ?? '*') },
    ],
  },
  iam: {
    GetInstanceProfile: (input, account) => [
      {
        action: 'iam:GetInstanceProfile',
        resource: `arn:aws:iam::${account.accountId}:instance-profile/${String(input.InstanceProfileName ?? '')}`,
      },
    ],
  },
};

/** For services whose rules read nothing of the account (Step Functions). */
/** What a caller outside any account's resources is authorized against (no lookups to make). */
export const NO_RESOURCES: AccountLookups = {
  region: '',
  accountId: '',
  groupArn: () => undefined,
  groupTags: () => ({}),
  launchTemplateUse: () => undefined,
  topicKey: () => undefined,
};

/**
 * Throws the error AWS answers with when `principal` may not make this call. `unscoped` operations are
 * authorized on `*`.
 */
export function authorize(
  principal: Principal,
  service: ServiceName | 'states',
  operation: string,
  input: unknown,
  account: AccountLookups = NO_RESOURCES,
): void {
  const rule = RULES[service][operation];
  if (!rule) {
    throw new Error(
      `The simulated account does not model the authorization of ${service}:${operation}; add it to simulator/account/iam/authorization.ts`,
    );
  }
  const own = `${service}:${operation}`;
  const requests = rule((input ?? {}) as Input, account);
  const primary = requests.find((request) => request.action === own) ?? { action: own, resource: '*' };
  for (const request of [primary, ...requests.filter((request) => request !== primary)]) {
    const decision = evaluate(principal.policies, request);
    if (!decision.allowed) throw denied(service, operation, principal, request, decision.reason, input);
  }
}

function denied(
  service: ServiceName | 'states',
  operation: string,
  principal: Principal,
  request: AuthorizationRequest,
  reason: 'explicit-deny' | 'no-allow',
  input: unknown,
): Error {
  const because =
    reason === 'explicit-deny'
      ? `with an explicit deny in an identity-based policy`
      : `because no identity-based policy allows the ${request.action} action`;
  const standard = `User: ${principal.sessionArn} is not authorized to perform: ${request.action} on resource: ${request.resource} ${because}`;
  const own = `${service}:${operation}`;
  if (service === 'autoscaling' && request.action !== own) {
    // What Auto Scaling answers when the launch template's own permissions are missing.
    const template = (
      input as { LaunchTemplate?: { LaunchTemplateId?: string; LaunchTemplateName?: string } }
    ).LaunchTemplate;
    return serviceError(
      'autoscaling',
      'AccessDenied',
      `You are not authorized to use launch template: ${template?.LaunchTemplateId ?? template?.LaunchTemplateName ?? ''}`,
      403,
    );
  }
  switch (service) {
    case 'ec2':
      return serviceError(
        'ec2',
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. ${standard}. Encoded authorization failure message: (simulated)`,
        403,
      );
    case 'sns':
      if (request.action.startsWith('kms:')) {
        return serviceError('sns', 'KMSAccessDenied', `${standard} (Service: Kms, Status Code: 400)`, 400);
      }
      return serviceError('sns', 'AuthorizationError', standard, 403);
    case 'events':
      // EventBridge API reference, Common Errors: AccessDeniedException, 400.
      return serviceError('events', 'AccessDeniedException', standard, 400);
    case 'states':
      return Object.assign(new Error(standard), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    case 'imagebuilder':
      // GetImage API reference, Errors: ForbiddenException, "You are not authorized to perform the requested
      // operation" (HTTP 403 in the SDK's model).
      return serviceError('imagebuilder', 'ForbiddenException', standard, 403);
    case 'cloudwatch':
    case 'elasticloadbalancing':
    case 'iam':
    case 'autoscaling':
      return serviceError(service, 'AccessDenied', standard, 403);
  }
}
