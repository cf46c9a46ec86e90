/** The shapes Auto Scaling's Describe* calls answer with, built from the simulated groups. */
import type {
  Activity,
  AutoScalingGroup,
  Filter,
  Instance as SdkInstance,
} from '@aws-sdk/client-auto-scaling';
import { AVAILABILITY_ZONES, type ActivityRecord, type AutoScalingGroupState } from './auto-scaling-group';
import { describePolicy } from './auto-scaling-mixed-instances';
import { describePool } from './auto-scaling-warm-pools';
import { serviceError } from './errors';
import type { Instance } from './instances';

export function describeGroup(group: AutoScalingGroupState): AutoScalingGroup {
  const attached = group.activeTrafficSources();
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    ...launchSource(group),
    MinSize: group.min,
    MaxSize: group.max,
    DesiredCapacity: group.desired,
    DefaultCooldown: 300,
    AvailabilityZones: [...AVAILABILITY_ZONES],
    LoadBalancerNames: [],
    // UNCONFIRMED: whether a target group being removed is still listed here; modelled as not listed.
    TargetGroupARNs: attached.map((source) => source.identifier),
    TrafficSources: attached.map((source) => ({ Identifier: source.identifier, Type: source.type })),
    HealthCheckType: group.healthCheckType,
    HealthCheckGracePeriod: group.healthCheckGracePeriodSeconds,
    Instances: [...group.instances.values()].map(describeInstance),
    CreatedTime: new Date(group.createdAt),
    SuspendedProcesses: [...group.suspended].map(([ProcessName, SuspensionReason]) => ({
      ProcessName,
      SuspensionReason,
    })),
    VPCZoneIdentifier: 'subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002,subnet-0a1b2c3d4e5f60003',
    EnabledMetrics: [],
    Tags: [...group.tags].map(([Key, tag]) => ({
      ResourceId: group.name,
      ResourceType: 'auto-scaling-group',
      Key,
      Value: tag.value,
      PropagateAtLaunch: tag.propagateAtLaunch,
    })),
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
    // AutoScalingGroup API reference: the warm pool's configuration and its current size.
    ...(group.warmPool
      ? { WarmPoolConfiguration: describePool(group.warmPool), WarmPoolSize: group.warmPool.instances.size }
      : {}),
    CapacityRebalance: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${group.arn.split(':')[4]}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
  };
}

/** What the group launches from: a launch configuration, a mixed instances policy or a launch template. */
function launchSource(group: AutoScalingGroupState): Partial<AutoScalingGroup> {
  if (group.launchConfigurationName !== undefined)
    return { LaunchConfigurationName: group.launchConfigurationName };
  // A group with a mixed instances policy names its template there, not in LaunchTemplate
  // (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AutoScalingGroup.html).
  if (group.mixedInstancesPolicy) return { MixedInstancesPolicy: describePolicy(group.mixedInstancesPolicy) };
  return {
    LaunchTemplate: {
      LaunchTemplateId: group.launchTemplate.id,
      LaunchTemplateName: group.launchTemplate.name,
      Version: group.launchTemplate.version,
    },
  };
}

export function describeInstance(instance: Instance): SdkInstance {
  return {
    InstanceId: instance.id,
    InstanceType: instance.instanceType,
    AvailabilityZone: instance.availabilityZone,
    LifecycleState: instance.lifecycleState,
    HealthStatus: instance.healthStatus,
    LaunchTemplate: {
      LaunchTemplateId: instance.launchTemplate.id,
      LaunchTemplateName: instance.launchTemplate.name,
      Version: String(instance.launchTemplate.version),
    },
    ProtectedFromScaleIn: instance.protectedFromScaleIn ?? false,
    // Instance API reference: WeightedCapacity, set when the group's mixed instances policy gives weights.
    ...(instance.weightedCapacity === undefined
      ? {}
      : { WeightedCapacity: String(instance.weightedCapacity) }),
  };
}

/** DescribeAutoScalingGroups filters: tag-key, tag-value, tag:<key>. */
export function matchesGroupFilter(group: AutoScalingGroupState, filter: Filter): boolean {
  const values = filter.Values ?? [];
  const name = filter.Name ?? '';
  if (name === 'tag-key') return values.some((value) => group.tags.has(value));
  if (name === 'tag-value') return [...group.tags.values()].some((tag) => values.includes(tag.value));
  if (name.startsWith('tag:')) {
    const tag = group.tags.get(name.slice(4));
    return tag !== undefined && values.includes(tag.value);
  }
  throw serviceError('autoscaling', 'ValidationError', `Filter name ${name} is not valid.`);
}

export function describeActivity(activity: ActivityRecord): Activity {
  return {
    ActivityId: activity.id,
    AutoScalingGroupName: activity.groupName,
    Description: activity.description,
    Cause: activity.cause,
    StartTime: new Date(activity.startTime),
    EndTime: activity.endTime === undefined ? undefined : new Date(activity.endTime),
    StatusCode: activity.statusCode,
    StatusMessage: activity.statusMessage,
    Progress: activity.statusCode === 'InProgress' ? 50 : 100,
  };
}
