import type * as z from 'zod/mini';
import type { InputSchema as AttachTargetGroups } from '../lambdas/attach-target-groups/input';
import type { InputSchema as CheckAlreadyServing } from '../lambdas/check-already-serving/input';
import type { InputSchema as CheckAmiTags } from '../lambdas/check-ami-tags/input';
import type { InputSchema as CheckApproval } from '../lambdas/check-approval/input';
import type { InputSchema as CheckFleetKept } from '../lambdas/check-fleet-kept/input';
import type { InputSchema as CheckGroupEmpty } from '../lambdas/check-group-empty/input';
import type { InputSchema as CheckHookAnswer } from '../lambdas/check-hook-answer/input';
import type { InputSchema as CheckInstancesInService } from '../lambdas/check-instances-in-service/input';
import type { InputSchema as CheckInstancesInStandby } from '../lambdas/check-instances-in-standby/input';
import type { InputSchema as CheckTargetGroupsDetached } from '../lambdas/check-target-groups-detached/input';
import type { InputSchema as CheckTargetsHealthy } from '../lambdas/check-targets-healthy/input';
import type { InputSchema as DetachTargetGroups } from '../lambdas/detach-target-groups/input';
import type { InputSchema as EnterStandby } from '../lambdas/enter-standby/input';
import type { InputSchema as FindBuiltAmi } from '../lambdas/find-built-ami/input';
import type { InputSchema as GuardSingleDeployment } from '../lambdas/guard-single-deployment/input';
import type { InputSchema as LaunchNewVersion } from '../lambdas/launch-new-version/input';
import type { InputSchema as MonitorNewVersion } from '../lambdas/monitor-new-version/input';
import type { InputSchema as PlanRecovery } from '../lambdas/plan-recovery/input';
import type { InputSchema as PlanTrafficShift } from '../lambdas/plan-traffic-shift/input';
import type { InputSchema as PreflightChecks } from '../lambdas/preflight-checks/input';
import type { InputSchema as CheckTrafficAndAlarms } from '../lambdas/check-traffic-and-alarms/input';
import type { InputSchema as PublishMilestone } from '../lambdas/publish-milestone/input';
import type { InputSchema as ReportOutcome } from '../lambdas/report-outcome/input';
import type { InputSchema as ResolveRoles } from '../lambdas/resolve-roles/input';
import type { InputSchema as RestoreListeners } from '../lambdas/restore-listeners/input';
import type { InputSchema as RestoreOldFleet } from '../lambdas/restore-old-fleet/input';
import type { InputSchema as MatchProductionCapacity } from '../lambdas/match-production-capacity/input';
import type { InputSchema as RetireOldFleet } from '../lambdas/retire-old-fleet/input';
import type { InputSchema as RunSyntheticChecks } from '../lambdas/run-synthetic-checks/input';
import type { InputSchema as ScaleGroupToZero } from '../lambdas/scale-group-to-zero/input';
import type { InputSchema as ShiftTraffic } from '../lambdas/shift-traffic/input';
import type { InputSchema as ValidateRequest } from '../lambdas/validate-request/input';
import type { InputSchema as WaitForTurn } from '../lambdas/wait-for-turn/input';

/**
 * The resources a grant names. infra/step-permissions.ts turns each into ARNs (and the conditions that go
 * with it); a scope the deployment lacks (no customer managed key, no instance roles) grants nothing.
 */
export type GrantScope =
  /** Describe and List actions that AWS does not authorise per resource: granted on `*`, only read. */
  | 'any'
  | 'groups'
  | 'launchTemplates'
  /** RunInstances on whatever a launch creates, as long as it launches from the groups' templates. */
  | 'launchesFromTemplates'
  /** CreateTags on what a launch creates, only as part of that launch. */
  | 'tagsOfLaunches'
  | 'instanceProfiles'
  /** PassRole of the templates' instance roles, only to EC2 and Auto Scaling. */
  | 'instanceRoles'
  | 'stateMachine'
  /** The executions of this state machine (`execution:<state machine name>:*`). */
  | 'executions'
  | 'topic'
  | 'topicKey'
  /** CreateNetworkInterface: the interfaces, the checks' subnets and security groups (only with a network). */
  | 'checksNetworkInterfaceCreation'
  /** The function's own network interfaces, which Lambda names itself (only with a network). */
  | 'checksNetworkInterfaces'
  /** Reads AWS authorises only on `*` (only with a network). */
  | 'checksNetworkReads'
  /** PutEvents on the account's default event bus, only with the orchestrator's own `source`. */
  | 'defaultEventBus'
  /** EC2 Image Builder images (build versions) of the account and Region. */
  | 'imageBuilderImages'
  /**
   * Application Load Balancer listeners of the account and Region: the production listener is found from the
   * main target group at run time, so no ARN is known at synth (docs/design.md#gradual-shift).
   */
  | 'listeners';

export interface Grant {
  readonly actions: readonly string[];
  readonly on: GrantScope;
}

/**
 * How long the step's function may run: most steps make a few calls (the function default); a step that
 * walks a large fleet in batches under the shared Auto Scaling throttle gets minutes; the synthetic
 * checks' limit follows from their settings (state-machine/step-timeouts.ts).
 */
export type TimeoutClass = 'default' | 'fleet-batches' | 'synthetic-checks';

/** `input` is never set: it carries the handler's input schema's type, for the definition's payloads. */
export interface StepEntry<Schema extends z.ZodMiniType = z.ZodMiniType> {
  readonly permissions: readonly Grant[];
  readonly timeout: TimeoutClass;
  /**
   * Runs in the synthetic checks' subnets and security groups when the configuration names them
   * (syntheticChecks.network), to reach an internal load balancer.
   */
  readonly inChecksNetwork?: boolean;
  readonly input?: Schema;
}

function step<Schema extends z.ZodMiniType>(
  permissions: readonly Grant[],
  timeout: TimeoutClass = 'default',
  placement: { inChecksNetwork?: boolean } = {},
): StepEntry<Schema> {
  return { permissions, timeout, ...placement };
}

const read = (...actions: string[]): Grant => ({ actions, on: 'any' });
const onGroups = (...actions: string[]): Grant => ({ actions, on: 'groups' });

const groups = 'autoscaling:DescribeAutoScalingGroups';
const trafficSources = 'autoscaling:DescribeTrafficSources';
const templateVersions = 'ec2:DescribeLaunchTemplateVersions';
const targetHealth = 'elasticloadbalancing:DescribeTargetHealth';
// DescribeAlarms can be scoped to alarm ARNs, but returns composite alarms only to a grant on `*`
// (docs/aws-facts/iam-authorization.md), and the watched alarms may be composite.
const alarms = 'cloudwatch:DescribeAlarms';

/** What deciding which execution deploys takes (lambdas/shared/admission.ts). */
const admitting: readonly Grant[] = [
  { actions: ['states:ListExecutions'], on: 'stateMachine' },
  // Where each other execution is (one still checking its AMI holds no deployment back), and which AMI
  // it deploys (a second execution for the same AMI is a duplicate).
  { actions: ['states:GetExecutionHistory', 'states:DescribeExecution'], on: 'executions' },
  // Which of the releases waiting to deploy is the newest (whileDeploying: queue-newest).
  read('ec2:DescribeImages'),
];

/** What telling the notification topic and the default event bus takes. */
const announcing: readonly Grant[] = [
  { actions: ['sns:Publish'], on: 'topic' },
  // Publishing to a topic encrypted with a customer managed key uses the key as the publisher.
  { actions: ['kms:GenerateDataKey', 'kms:Decrypt'], on: 'topicKey' },
  { actions: ['events:PutEvents'], on: 'defaultEventBus' },
];

/**
 * Every step of the deployment, by the folder of its handler (`lambdas/<name>/handler.ts`, its input schema
 * in `input.ts`): the AWS actions it may use, least privilege as measured by `npm run check:permissions`
 * (each grant removed in turn must make a scenario fail), and its timeout class. infra/ builds one function
 * and one role per entry, bundling builds one asset per entry, and the local engine loads the same.
 */
export const STEPS = {
  'validate-request': step<typeof ValidateRequest>([read('ec2:DescribeImages')]),
  'find-built-ami': step<typeof FindBuiltAmi>([
    { actions: ['imagebuilder:GetImage'], on: 'imageBuilderImages' },
  ]),
  'check-ami-tags': step<typeof CheckAmiTags>([read('ec2:DescribeImages')]),
  'guard-single-deployment': step<typeof GuardSingleDeployment>(admitting),
  'wait-for-turn': step<typeof WaitForTurn>(admitting),
  // Where a stopped execution was, and its last state; whether an execution started since has changed
  // the account (docs/recovery.md).
  'plan-recovery': step<typeof PlanRecovery>([
    { actions: ['states:ListExecutions'], on: 'stateMachine' },
    { actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], on: 'executions' },
  ]),
  'resolve-roles': step<typeof ResolveRoles>([read(groups, trafficSources)]),
  'check-already-serving': step<typeof CheckAlreadyServing>([
    read(groups, templateVersions, targetHealth, 'ec2:DescribeImages'),
  ]),
  'check-traffic-and-alarms': step<typeof CheckTrafficAndAlarms>([
    read(
      alarms,
      'elasticloadbalancing:DescribeTargetGroups',
      // The deregistration delay, which the waits for draining must outlast.
      'elasticloadbalancing:DescribeTargetGroupAttributes',
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeRules',
    ),
  ]),
  'preflight-checks': step<typeof PreflightChecks>([
    read(
      groups,
      templateVersions,
      'autoscaling:DescribeInstanceRefreshes',
      // Lifecycle hooks that outlast the waits, and warm pools, are refused up front.
      'autoscaling:DescribeLifecycleHooks',
      'autoscaling:DescribeWarmPool',
    ),
    { actions: ['iam:GetInstanceProfile'], on: 'instanceProfiles' },
  ]),
  'scale-group-to-zero': step<typeof ScaleGroupToZero>([
    // Standby instances (a shift by instances parks part of the new fleet) leave Standby once the group is
    // attached nowhere, to be scaled in.
    read(groups, trafficSources),
    // SetInstanceProtection: protected instances would survive the scale-in (scale-in protection).
    onGroups(
      'autoscaling:UpdateAutoScalingGroup',
      'autoscaling:SetInstanceProtection',
      'autoscaling:ExitStandby',
      // The processes a gradual shift held on the new group, as recorded in a tag it then removes.
      'autoscaling:ResumeProcesses',
      'autoscaling:DeleteTags',
    ),
  ]),
  'check-group-empty': step<typeof CheckGroupEmpty>([read(groups)]),
  'launch-new-version': step<typeof LaunchNewVersion>([
    read(groups, templateVersions),
    // ResumeProcesses: an interrupted deployment can leave either group's processes suspended. The standby
    // group's are resumed first by its scale to zero, and the serving group's, in a deployment that goes on
    // to its shift, by the park's record all the same, so no scenario's outcome notices the grant:
    // test/simulator/leftover-processes.test.ts checks an aborted deployment resumes them on production.
    onGroups('autoscaling:UpdateAutoScalingGroup', 'autoscaling:DeleteTags', 'autoscaling:ResumeProcesses'),
    { actions: ['ec2:CreateLaunchTemplateVersion'], on: 'launchTemplates' },
    // Pointing a group at a launch template is authorized as launching from it: RunInstances on the
    // template and what it launches, CreateTags for its tag specifications, PassRole for its instance
    // profile's role (docs/aws-facts/iam-authorization.md, "UpdateAutoScalingGroup").
    { actions: ['ec2:RunInstances'], on: 'launchesFromTemplates' },
    { actions: ['ec2:CreateTags'], on: 'tagsOfLaunches' },
    { actions: ['iam:PassRole'], on: 'instanceRoles' },
  ]),
  // Grows the new group to what production serves with just before the shift (docs/design.md#capacity).
  'match-production-capacity': step<typeof MatchProductionCapacity>([
    read(groups),
    onGroups('autoscaling:UpdateAutoScalingGroup'),
  ]),
  // A launch a lifecycle hook abandoned shows in the scaling activities. Without the grant the read fails
  // and the deployment aborts all the same, so no scenario's outcome notices it:
  // test/simulator/production-groups.test.ts checks the reason (lifecycle-hook-abandons).
  'check-instances-in-service': step<typeof CheckInstancesInService>([
    read(groups, 'autoscaling:DescribeScalingActivities'),
  ]),
  // The operator's answer is a tag on the new group (docs/design.md#approval-gate).
  'check-approval': step<typeof CheckApproval>([read(groups)]),
  'attach-target-groups': step<typeof AttachTargetGroups>([
    read(trafficSources),
    onGroups('autoscaling:AttachTrafficSources'),
  ]),
  'detach-target-groups': step<typeof DetachTargetGroups>([
    read(trafficSources),
    onGroups('autoscaling:DetachTrafficSources'),
  ]),
  'check-target-groups-detached': step<typeof CheckTargetGroupsDetached>([read(trafficSources)]),
  'check-targets-healthy': step<typeof CheckTargetsHealthy>([read(groups, targetHealth)]),
  // In a VPC, Lambda manages the function's network interfaces with the function's own role
  // (docs/aws-facts/iam-authorization.md#lambda-in-a-vpc); without a network these scopes grant nothing.
  'run-synthetic-checks': step<typeof RunSyntheticChecks>(
    [
      { actions: ['ec2:CreateNetworkInterface'], on: 'checksNetworkInterfaceCreation' },
      {
        actions: [
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        on: 'checksNetworkInterfaces',
      },
      { actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], on: 'checksNetworkReads' },
    ],
    'synthetic-checks',
    { inChecksNetwork: true },
  ),
  'enter-standby': step<typeof EnterStandby>(
    [
      read(groups, targetHealth),
      onGroups(
        // The processes it suspends are recorded in a tag first, so that only they are resumed.
        'autoscaling:CreateOrUpdateTags',
        'autoscaling:SuspendProcesses',
        'autoscaling:UpdateAutoScalingGroup',
        'autoscaling:EnterStandby',
      ),
    ],
    'fleet-batches',
  ),
  'check-instances-in-standby': step<typeof CheckInstancesInStandby>([read(groups)]),
  // The gradual shift (docs/design.md#gradual-shift): the plan reads the production listeners and the
  // old version's baseline; each share moves the listeners' weights or parks and returns instances.
  'plan-traffic-shift': step<typeof PlanTrafficShift>([
    read(
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeListeners',
      'cloudwatch:GetMetricData',
    ),
  ]),
  'shift-traffic': step<typeof ShiftTraffic>(
    [
      read(groups, trafficSources, targetHealth, 'elasticloadbalancing:DescribeListeners'),
      onGroups(
        // Both fleets' scaling is held (and recorded) while the shares bake, the new one's resumed at 100 %.
        'autoscaling:CreateOrUpdateTags',
        'autoscaling:SuspendProcesses',
        'autoscaling:ResumeProcesses',
        'autoscaling:DeleteTags',
        'autoscaling:UpdateAutoScalingGroup',
        'autoscaling:EnterStandby',
        'autoscaling:ExitStandby',
        'autoscaling:AttachTrafficSources',
      ),
      { actions: ['elasticloadbalancing:ModifyListener'], on: 'listeners' },
    ],
    'fleet-batches',
  ),
  'restore-listeners': step<typeof RestoreListeners>([
    read(groups, 'elasticloadbalancing:DescribeListeners'),
    { actions: ['elasticloadbalancing:ModifyListener'], on: 'listeners' },
    // The new group's scaling, held while the weights moved, as recorded in a tag it then removes.
    onGroups('autoscaling:ResumeProcesses', 'autoscaling:DeleteTags'),
  ]),
  // DescribeScalingActivities: when an instance launched in the window is unhealthy, whether it is still in
  // its health check grace period. No scenario has one (a launched instance registers as it goes InService),
  // so none notices the grant; test/lambdas/monitor-new-version.test.ts covers the grace period.
  'monitor-new-version': step<typeof MonitorNewVersion>([
    read(
      groups,
      targetHealth,
      alarms,
      'autoscaling:DescribeScalingActivities',
      // The comparison with the old version (monitoring.comparison), from the load balancer's metrics.
      'cloudwatch:GetMetricData',
    ),
  ]),
  'retire-old-fleet': step<typeof RetireOldFleet>(
    [
      read(groups, trafficSources),
      onGroups(
        'autoscaling:ExitStandby',
        'autoscaling:SetInstanceProtection',
        'autoscaling:UpdateAutoScalingGroup',
        // Only the processes the deployment suspended, as recorded in a tag it then removes.
        'autoscaling:ResumeProcesses',
        'autoscaling:DeleteTags',
      ),
    ],
    'fleet-batches',
  ),
  'restore-old-fleet': step<typeof RestoreOldFleet>(
    [
      read(groups, trafficSources),
      onGroups(
        // Re-attaches the old group if it was detached by hand during the window (no scenario does).
        'autoscaling:AttachTrafficSources',
        'autoscaling:ResumeProcesses',
        'autoscaling:DeleteTags',
        'autoscaling:ExitStandby',
        'autoscaling:UpdateAutoScalingGroup',
      ),
    ],
    'fleet-batches',
  ),
  // A kept fleet's wait: the operator's request on the group, and whether a newer deployment runs.
  'check-fleet-kept': step<typeof CheckFleetKept>([
    read(groups),
    // Whether a release or a recovery waits for its turn behind the keep. Without the history read the keep
    // fails at the first check that meets another execution and the deployment finishes as usual, so no
    // scenario's outcome notices it: test/simulator/keep-fleets-races.test.ts times the keep instead.
    { actions: ['states:ListExecutions'], on: 'stateMachine' },
    { actions: ['states:GetExecutionHistory'], on: 'executions' },
  ]),
  // Milestones (docs/events.md) and the outcome go to the topic and, as events, to the default bus.
  'publish-milestone': step<typeof PublishMilestone>(announcing),
  // Judges a lifecycle hook's answer (docs/hooks.md); Step Functions invokes the hook's function itself.
  'check-hook-answer': step<typeof CheckHookAnswer>([]),
  'report-outcome': step<typeof ReportOutcome>(announcing),
} as const satisfies Record<string, StepEntry>;

export type StepName = keyof typeof STEPS;

/** The steps in the registry's order. */
export const STEP_NAMES = Object.keys(STEPS) as StepName[];

/** What the definition may send a step: its handler's input schema's input type. */
export type StepInput<S extends StepName> =
  (typeof STEPS)[S] extends StepEntry<infer Schema> ? z.input<Schema> : never;
