// Over 250 lines: the declarative description of a whole simulated account, each part with its defaults.
/**
 * The description of a simulated account: what exists when the simulation starts. `defaultEnvironment`
 * builds the reference environment from `infra/environment/settings.ts`, the one place that both the CDK
 * stack and the simulator read, so the simulation gets the health-check timing, draining and alarms a real
 * deployment gets.
 */
import { referenceEnvironment, type ReferenceEnvironmentSettings } from '../../infra/environment/settings';
import type { CapacitySettings } from './capacity';
import type { ScalingPolicyDescription } from './scaling-policies';
import type { HookFunctionDescription } from './user-functions';

/** How the application on one AMI behaves. */
/** How the application answers one path: each field given replaces what the version would answer there. */
export interface PathBehaviour {
  status?: number;
  /** In place of the reference app's `{version, instance}` JSON. */
  body?: string;
  latencyMs?: number;
}

export interface VersionBehaviour {
  /**
   * Answers of particular paths (without the query), over the rest of the behaviour: an endpoint the
   * version broke, a slow page. A hung version (`failHealthChecks`) answers none of them. The ALB's health
   * check is a request to its path like any other.
   */
  paths?: Record<string, PathBehaviour>;
  /** The app never answers: health checks time out, requests routed to it fail with 502. */
  failHealthChecks?: boolean;
  /** `/health` is fine, every other path answers 500. */
  failSyntheticChecks?: boolean;
  /** 0..1: fraction of requests answered 500 (application errors). */
  errorRate?: number;
  /**
   * `errorRate` applies only from this many minutes after the version first served user traffic through the
   * main target group (undefined: from the start).
   */
  errorsFromMinuteAfterShift?: number;
  /** Response time of the application (default 20 ms). */
  latencyMs?: number;
  /** Requests per second one instance of this version serves (default: the environment's, capacity.ts). */
  capacityPerInstance?: number;
}

export type AmiState =
  'available' | 'pending' | 'failed' | 'deregistered' | 'invalid' | 'transient' | 'error' | 'disabled';

export interface AmiDescription {
  id: string;
  name: string;
  state: AmiState;
  tags: Record<string, string>;
  /** ISO 8601; defaults to the simulation start. */
  creationDate?: string;
  behaviour?: VersionBehaviour;
  /**
   * The AMI carries its tags only from this many seconds after the simulation starts: tools such as Packer
   * tag an AMI once it is available, after its "EC2 AMI State Change" event
   * (docs/aws-facts/launch-templates-and-amis.md#ami-events).
   */
  tagsAfterSeconds?: number;
  /**
   * A build published during the simulation: the AMI is `pending` until this many seconds after the
   * simulation starts, then `available`, when EC2 sends its "EC2 AMI State Change" event
   * (docs/aws-facts/launch-templates-and-amis.md#ami-events). Its `state` is the one it reaches then. An AMI
   * described `pending` without it stays so until the account owner publishes it (`publishImage`).
   */
  availableAfterSeconds?: number;
  /**
   * The AMI it was made from, as DescribeImages reports it (`SourceImageId`, `SourceImageRegion`): EC2 sets
   * them for AMIs made by CopyImage, CreateImage and CreateRestoreImageTask.
   */
  sourceImageId?: string;
  /** The instance CreateImage made it from (`SourceInstanceId`, set for CreateImage only): a build. */
  sourceInstanceId?: string;
}

export interface HealthCheckDescription {
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcherHttpCode: string;
}

export interface TargetGroupDescription {
  arn: string;
  name: string;
  healthCheck: HealthCheckDescription;
  deregistrationDelaySeconds: number;
}

export interface GroupDescription {
  name: string;
  launchTemplateId: string;
  launchTemplateName: string;
  /** AMI of the launch template's current (first) version. */
  amiId: string;
  min: number;
  desired: number;
  max: number;
  /** Target group ARNs the group is attached to (its instances start registered and healthy there). */
  attachedTargetGroups: string[];
  /**
   * `EC2` (status checks only), `ELB`, or a comma-separated list of `EC2`, `ELB`, `EBS`, `VPC_LATTICE`, as
   * UpdateAutoScalingGroup takes it (docs/aws-facts/auto-scaling-groups.md#health-checks).
   */
  healthCheckType: string;
  healthCheckGracePeriodSeconds: number;
  /** Instance type written into the launch template (default t3.micro). */
  instanceType?: string;
  tags?: Record<string, string>;
  /**
   * More launch template data for version 1, as `CreateLaunchTemplate` takes it: `IamInstanceProfile`
   * ({Arn} or {Name}) and `TagSpecifications` change what launching from the template is authorized as.
   */
  launchTemplateData?: Record<string, unknown>;
  /** Processes suspended at the start (e.g. left by an interrupted deployment). */
  suspendedProcesses?: string[];
  /**
   * Instance refreshes the group had before the simulation, newest first: listed as they are, never run
   * (a refresh the simulation runs is `startInstanceRefresh`, or StartInstanceRefresh).
   */
  instanceRefreshes?: { id: string; status: string }[];
  /** An instance refresh Auto Scaling starts this many seconds in, and runs (docs/aws-facts/auto-scaling-instance-refreshes.md). */
  startInstanceRefresh?: InstanceRefreshDescription;
  /**
   * The group launches from a launch configuration of this name instead of a launch template. Modelled by
   * name only: described, never launched from (the group must start empty); UpdateAutoScalingGroup with a
   * launch template replaces it.
   */
  launchConfigurationName?: string;
  /**
   * The launch template version the group names (default "1"): `$Default`, `$Latest`, or a number, even one
   * the template no longer has (a version deleted after the group was pointed at it).
   */
  launchTemplateVersion?: string;
  /**
   * The group launches from a mixed instances policy instead of its launch template
   * (docs/aws-facts/auto-scaling-mixed-instances.md). `true`: a policy over the group's own template and
   * version, without overrides, with the default distribution (all On-Demand).
   */
  mixedInstancesPolicy?: boolean | MixedInstancesPolicyDescription;
  /** New instances start protected from scale-in (docs/aws-facts/auto-scaling-scale-in-protection.md); the
   * instances the group starts with were launched under it too. */
  newInstancesProtectedFromScaleIn?: boolean;
  /** Lifecycle hooks, and how the team's automation answers them (docs/aws-facts/auto-scaling-lifecycle-hooks.md). */
  lifecycleHooks?: LifecycleHookDescription[];
  /** A warm pool beside the group (docs/aws-facts/auto-scaling-warm-pools.md), filled from the start. */
  warmPool?: WarmPoolDescription;
  /** Target tracking scaling policies of the group at the start (scaling-policies.ts). */
  scalingPolicies?: ScalingPolicyDescription[];
}

/** A mixed instances policy as UpdateAutoScalingGroup's `MixedInstancesPolicy` takes it, in camel case. */
export interface MixedInstancesPolicyDescription {
  /** The policy's launch template specification; each part defaults to the group's template and version. */
  launchTemplate?: { id?: string; name?: string; version?: string };
  /** Instance types, highest priority first; none: the template's instance type. */
  overrides?: { instanceType: string; weightedCapacity?: number }[];
  /** Each field omitted takes AWS's default (InstancesDistribution API reference). */
  instancesDistribution?: {
    onDemandAllocationStrategy?: 'prioritized' | 'lowest-price';
    onDemandBaseCapacity?: number;
    onDemandPercentageAboveBaseCapacity?: number;
    spotAllocationStrategy?: string;
    spotInstancePools?: number;
    spotMaxPrice?: string;
  };
}

/** A lifecycle hook (PutLifecycleHook) and how the team's automation answers its actions. */
export interface LifecycleHookDescription {
  name: string;
  /** autoscaling:EC2_INSTANCE_LAUNCHING or autoscaling:EC2_INSTANCE_TERMINATING. */
  transition: 'launching' | 'terminating';
  /** 30–7200 (default 3600). */
  heartbeatTimeoutSeconds?: number;
  /** What a timed-out action does (default ABANDON). */
  defaultResult?: 'CONTINUE' | 'ABANDON';
  notificationMetadata?: string;
  /**
   * The team's automation completes each action with `result` this many seconds after the instance enters
   * the wait state, or never (default): the action then times out and the default result applies.
   */
  answer?: { result: 'CONTINUE' | 'ABANDON'; afterSeconds: number } | 'never';
}

/** A warm pool (PutWarmPool), in camel case. */
export interface WarmPoolDescription {
  /** Instances kept in the pool at least (default 0). */
  minSize?: number;
  /** Prepared capacity (group and pool); default: the group's MaxSize. */
  maxGroupPreparedCapacity?: number;
  /** Default Stopped. */
  poolState?: 'Stopped' | 'Running' | 'Hibernated';
  /** Scale-in returns instances to the pool instead of terminating them (default false). */
  reuseOnScaleIn?: boolean;
}

/** StartInstanceRefresh's preferences the simulation follows. */
export interface InstanceRefreshDescription {
  /** Seconds after the simulation starts (default 0). */
  afterSeconds?: number;
  /** Default 90. */
  minHealthyPercentage?: number;
  /** Default 100. */
  maxHealthyPercentage?: number;
  /** Seconds a new instance warms up after InService before it counts as updated (default: the grace period). */
  instanceWarmupSeconds?: number;
  /** Leave instances already on the desired launch template version (default false). */
  skipMatching?: boolean;
}

/** An IAM instance profile and the role it carries (what EC2 is passed when an instance launches with it). */
export interface InstanceProfileDescription {
  name: string;
  arn: string;
  roleArn: string;
}

/**
 * An EC2 Image Builder image (one build version) whose output is one AMI of `amis`: BUILDING, then TESTING
 * once that AMI is available, then AVAILABLE (docs/aws-facts/image-builder.md).
 */
export interface ImageBuilderImageDescription {
  /** The build version ARN: `arn:aws:imagebuilder:REGION:ACCOUNT:image/NAME/X.Y.Z/BUILD`. */
  arn: string;
  /** The pipeline that built it (GetImage's `sourcePipelineArn`), if any. */
  pipelineArn?: string;
  /** The AMI it outputs: it must be available and tagged no later than the image is AVAILABLE. */
  amiId: string;
  /**
   * Seconds after the simulation starts when the image becomes AVAILABLE; absent, it becomes AVAILABLE
   * only when the account owner's pipeline completes it (`SimulatedAccount.completeImage`).
   */
  availableAfterSeconds?: number;
  /** The image resource's own tags (not the AMI's). */
  tags?: Record<string, string>;
}

/** A topic the orchestrator may be told to notify, encrypted with a KMS key or not. */
export interface TopicDescription {
  arn: string;
  kmsKeyArn?: string;
}

export type ComparisonOperator =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface MetricAlarmDescription {
  type: 'metric';
  name: string;
  description?: string;
  /** ALB metrics recorded by the simulated load balancer, per target group. */
  metricName:
    | 'HTTPCode_Target_5XX_Count'
    | 'UnHealthyHostCount'
    | 'HealthyHostCount'
    | 'TargetResponseTime'
    | 'RequestCount'
    | 'HTTPCode_ELB_5XX_Count';
  /** `Sum`, `Maximum`, `Minimum`, `Average`, `SampleCount` or a percentile such as `p99`. */
  statistic: string;
  /** The `TargetGroup` dimension: ARN of the target group whose metric the alarm watches. */
  targetGroupArn: string;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: TreatMissingData;
  /** State at the start of the simulation (default OK: the simulation starts in steady state). */
  initialState?: AlarmState;
  /**
   * The second of each minute at which CloudWatch evaluates the alarm (default 0, the minute itself). AWS
   * documents that an alarm is evaluated every minute, not at which second: its example state-change event
   * is 40 s into a minute (docs/aws-facts/cloudwatch-alarms.md#evaluation-timing).
   */
  evaluationSecond?: number;
}

export interface CompositeAlarmDescription {
  type: 'composite';
  name: string;
  description?: string;
  /** CloudWatch alarm rule syntax, e.g. `ALARM("a") OR ALARM("b")`. */
  rule: string;
  initialState?: AlarmState;
}

export type AlarmDescription = MetricAlarmDescription | CompositeAlarmDescription;

export interface LoadBalancerDescription {
  name: string;
  dnsName: string;
  arn: string;
  /** The production listener (additive to the brief: needed for DescribeListeners/DescribeRules). */
  listenerArn?: string;
  /** Priority of the header rule that forwards to the synthetic target group. */
  syntheticRulePriority?: number;
}

export interface EnvironmentDescription {
  region: string;
  accountId: string;
  applicationName?: string;
  loadBalancer: LoadBalancerDescription;
  syntheticHeader: { name: string; value: string };
  mainTargetGroup: TargetGroupDescription;
  syntheticTargetGroup: TargetGroupDescription;
  /** More target groups in the account, which neither the ALB's listener nor the scenarios use. */
  otherTargetGroups?: TargetGroupDescription[];
  groups: { blue: GroupDescription; green: GroupDescription };
  amis: AmiDescription[];
  /** EC2 Image Builder images in the account (none by default). */
  imageBuilderImages?: ImageBuilderImageDescription[];
  alarms: AlarmDescription[];
  instanceProfiles?: InstanceProfileDescription[];
  topics?: TopicDescription[];
  /** Seconds from launch until the instance is InService and the app answers (default 60). */
  bootSeconds: number;
  /** Lambda functions of the teams that deployments run as lifecycle hooks (docs/hooks.md). [none] */
  hookFunctions?: HookFunctionDescription[];
  /** What one instance serves (capacity.ts; defaults keep 10 requests a second on 3 instances far below). */
  capacity?: CapacitySettings;
}

export interface DefaultEnvironmentOptions {
  /** Size of the active fleet (default 3, the settings' desired capacity). */
  instances?: number;
  bootSeconds?: number;
  /** No active fleet: blue is at zero too and attached to nothing. */
  firstDeployment?: boolean;
  /** Behaviour of the application on AMI `next`. */
  newVersion?: VersionBehaviour;
  /** Defaults to the reference environment settings. */
  settings?: ReferenceEnvironmentSettings;
  /** Processes suspended on the standby (green) group, as an interrupted deployment leaves them. */
  standbySuspendedProcesses?: string[];
  /** More tags on the standby (green) group, e.g. an operator request left from an earlier deployment. */
  standbyTags?: Record<string, string>;
  /** The second of the minute at which CloudWatch evaluates every metric alarm (default 0). */
  alarmEvaluationSecond?: number;
  /** The new AMI (`next`) carries its tags only this many seconds after the start (AmiDescription). */
  nextAmiTagsAfterSeconds?: number;
  /** Processes suspended on the active (blue) group. */
  activeSuspendedProcesses?: string[];
  /** An instance refresh under way on the active (blue) group. */
  activeInstanceRefresh?: boolean;
  /** The standby (green) group uses a launch configuration of this name, not a launch template. */
  standbyLaunchConfiguration?: string;
  /** The account has ENCRYPTED_TOPIC, a topic encrypted with a customer managed KMS key. */
  encryptedTopic?: boolean;
  /** Lambda functions deployments run as lifecycle hooks, each with its behaviour. */
  hookFunctions?: HookFunctionDescription[];
  /** What one instance serves, e.g. `{ capacityPerInstance: 20 }` (capacity.ts). */
  capacity?: CapacitySettings;
  /**
   * The same target tracking policy on both groups, as teams give a blue/green pair; a request-count policy
   * without `targetGroupArn` tracks the main target group.
   */
  scalingPolicy?: ScalingPolicyDescription;
  /**
   * More of the active (blue) group's description, over what the options above make of it: e.g.
   * `{ mixedInstancesPolicy: {...} }`, `{ lifecycleHooks: [...] }`, `{ newInstancesProtectedFromScaleIn: true }`.
   */
  activeGroup?: Partial<GroupDescription>;
  /** More of the standby (green) group's description, likewise. */
  standbyGroup?: Partial<GroupDescription>;
}

/** A notification topic encrypted with a customer managed KMS key (scenario `encrypted-notifications`). */
export const ENCRYPTED_TOPIC = {
  topicArn: 'arn:aws:sns:us-east-1:123456789012:webapp-deployments-encrypted',
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
} as const;

/** Valid AMI ids ('ami-' + 17 hex digits). */
export const DEFAULT_AMIS = {
  current: 'ami-0a1b2c3d4e5f60001',
  next: 'ami-0a1b2c3d4e5f60002',
  foreign: 'ami-0f0e0d0c0b0a90003',
} as const;

const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';

function elbArn(resource: string): string {
  return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:${resource}`;
}

export function defaultEnvironment(options: DefaultEnvironmentOptions = {}): EnvironmentDescription {
  const settings = options.settings ?? referenceEnvironment;
  const app = settings.applicationName;
  const instances = options.instances ?? settings.initialCapacity.desired;
  if (!Number.isInteger(instances) || instances < 0) throw new Error(`instances must be a whole number ≥ 0`);

  const healthCheck: HealthCheckDescription = { ...settings.healthCheck };
  const mainTargetGroup: TargetGroupDescription = {
    arn: elbArn(`targetgroup/${app}-main/0123456789abcdef`),
    name: `${app}-main`,
    healthCheck,
    deregistrationDelaySeconds: settings.deregistrationDelaySeconds,
  };
  const syntheticTargetGroup: TargetGroupDescription = {
    arn: elbArn(`targetgroup/${app}-synthetic/fedcba9876543210`),
    name: `${app}-synthetic`,
    healthCheck: { ...healthCheck },
    deregistrationDelaySeconds: settings.deregistrationDelaySeconds,
  };

  const active = !options.firstDeployment;
  // As the reference stack builds them: an instance role in the template's instance profile, and the
  // `Name` tag applied to instances and volumes at launch (tag specifications).
  const instanceProfile: InstanceProfileDescription = {
    name: `${app}-instance-profile`,
    arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${app}-instance-profile`,
    roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/${app}-instance-role`,
  };
  const launchTemplateData = (colour: string) => ({
    IamInstanceProfile: { Arn: instanceProfile.arn },
    TagSpecifications: ['instance', 'volume'].map((ResourceType) => ({
      ResourceType,
      Tags: [{ Key: 'Name', Value: `${app}-${colour}` }],
    })),
  });
  const blue: GroupDescription = {
    name: `${app}-blue`,
    launchTemplateId: 'lt-0b1e0000000000001',
    launchTemplateName: `${app}-blue`,
    amiId: DEFAULT_AMIS.current,
    min: active ? Math.min(settings.initialCapacity.min, instances) : 0,
    desired: active ? instances : 0,
    max: active ? Math.max(settings.initialCapacity.max, instances) : settings.initialCapacity.max,
    attachedTargetGroups: active ? [mainTargetGroup.arn] : [],
    healthCheckType: 'ELB',
    healthCheckGracePeriodSeconds: settings.healthCheckGracePeriodSeconds,
    instanceType: settings.instanceType,
    tags: { Application: app, Color: 'blue' },
    launchTemplateData: launchTemplateData('blue'),
    suspendedProcesses: options.activeSuspendedProcesses,
    scalingPolicies: scalingPolicies(options.scalingPolicy, mainTargetGroup.arn),
    instanceRefreshes: options.activeInstanceRefresh
      ? [{ id: '08b91cf7-8fa6-48af-b6a6-d227f40f1b9b', status: 'InProgress' }]
      : undefined,
  };
  const green: GroupDescription = {
    name: `${app}-green`,
    launchTemplateId: 'lt-06ee0000000000002',
    launchTemplateName: `${app}-green`,
    amiId: DEFAULT_AMIS.current,
    min: 0,
    desired: 0,
    max: 0,
    attachedTargetGroups: [],
    healthCheckType: 'ELB',
    healthCheckGracePeriodSeconds: settings.healthCheckGracePeriodSeconds,
    instanceType: settings.instanceType,
    tags: { Application: app, Color: 'green', ...options.standbyTags },
    launchTemplateData: launchTemplateData('green'),
    suspendedProcesses: options.standbySuspendedProcesses,
    launchConfigurationName: options.standbyLaunchConfiguration,
    scalingPolicies: scalingPolicies(options.scalingPolicy, mainTargetGroup.arn),
  };

  const metricAlarms: AlarmDescription[] = settings.alarms.map((alarm) => ({
    type: 'metric',
    name: `${app}-${alarm.suffix}`,
    description: alarm.description,
    metricName: alarm.metricName,
    statistic: alarm.statistic,
    targetGroupArn: alarm.targetGroup === 'synthetic' ? syntheticTargetGroup.arn : mainTargetGroup.arn,
    threshold: alarm.threshold,
    comparisonOperator: alarm.comparisonOperator,
    periodSeconds: alarm.periodSeconds,
    evaluationPeriods: alarm.evaluationPeriods,
    datapointsToAlarm: alarm.datapointsToAlarm,
    treatMissingData: alarm.treatMissingData,
    evaluationSecond: options.alarmEvaluationSecond,
  }));
  const alarmName = (suffix: string): string => `${app}-${suffix}`;
  const composite: AlarmDescription = {
    type: 'composite',
    name: `${app}-any-critical`,
    description: 'Any alarm that must stop or roll back a deployment.',
    rule: `ALARM("${alarmName('target-5xx')}") OR ALARM("${alarmName('synthetic-target-5xx')}") OR ALARM("${alarmName('unhealthy-hosts')}")`,
  };

  return {
    region: REGION,
    accountId: ACCOUNT_ID,
    applicationName: app,
    loadBalancer: {
      name: `${app}-alb`,
      dnsName: `${app}-alb-1234567890.${REGION}.elb.amazonaws.com`,
      arn: elbArn(`loadbalancer/app/${app}-alb/50dc6c495c0c9188`),
      listenerArn: elbArn(`listener/app/${app}-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`),
      syntheticRulePriority: settings.syntheticRulePriority,
    },
    syntheticHeader: { ...settings.syntheticHeader },
    mainTargetGroup,
    syntheticTargetGroup,
    groups: { blue: { ...blue, ...options.activeGroup }, green: { ...green, ...options.standbyGroup } },
    amis: [
      {
        id: DEFAULT_AMIS.current,
        name: `${app}-1.0.0`,
        state: 'available',
        tags: { Application: app, Version: '1.0.0' },
        creationDate: '2025-01-01T00:00:00.000Z',
      },
      {
        id: DEFAULT_AMIS.next,
        name: `${app}-1.1.0`,
        state: 'available',
        tags: { Application: app, Version: '1.1.0' },
        creationDate: '2025-02-01T00:00:00.000Z',
        behaviour: options.newVersion,
        tagsAfterSeconds: options.nextAmiTagsAfterSeconds,
      },
      {
        id: DEFAULT_AMIS.foreign,
        name: 'other-app-2.0.0',
        state: 'available',
        tags: { Application: 'other-app', Version: '2.0.0' },
        creationDate: '2025-02-01T00:00:00.000Z',
      },
    ],
    alarms: [...metricAlarms, composite],
    instanceProfiles: [instanceProfile],
    topics: options.encryptedTopic
      ? [{ arn: ENCRYPTED_TOPIC.topicArn, kmsKeyArn: ENCRYPTED_TOPIC.kmsKeyArn }]
      : [],
    bootSeconds: options.bootSeconds ?? 60,
    hookFunctions: options.hookFunctions,
    capacity: options.capacity,
  };
}

function scalingPolicies(
  policy: ScalingPolicyDescription | undefined,
  mainTargetGroupArn: string,
): ScalingPolicyDescription[] | undefined {
  if (!policy) return undefined;
  const tracksRequests = policy.metric === 'ALBRequestCountPerTarget';
  return [
    { ...policy, targetGroupArn: tracksRequests ? (policy.targetGroupArn ?? mainTargetGroupArn) : undefined },
  ];
}
