/**
 * One Auto Scaling group's state (sizes, instances, traffic sources, suspended processes, tags, activities)
 * and the constants of the model; what changes it lives in auto-scaling-groups.ts (requests) and
 * auto-scaling-reconcile.ts (what Auto Scaling does on its own).
 */
import type { GroupDescription, InstanceRefreshDescription } from './environment';
import { serviceError } from './errors';
import { capacityUnits, countsTowardsCapacity, type Instance } from './instances';
import { describedRefreshes, type InstanceRefreshRecord } from './instance-refreshes';
import { lifecycleHooksOf, type LifecycleHook } from './auto-scaling-lifecycle-hooks';
import { mixedInstancesPolicyOf, type MixedInstancesPolicyState } from './auto-scaling-mixed-instances';
import { warmPoolOf, type WarmPoolState } from './auto-scaling-warm-pools';

// docs/aws-facts/auto-scaling-groups.md#suspended-processes
export const SCALING_PROCESSES = [
  'Launch',
  'Terminate',
  'AddToLoadBalancer',
  'AlarmNotification',
  'AZRebalance',
  'HealthCheck',
  'InstanceRefresh',
  'ReplaceUnhealthy',
  'ScheduledActions',
] as const;
export type ScalingProcess = (typeof SCALING_PROCESSES)[number];

// docs/aws-facts/traffic-sources.md#states
export type TrafficSourceState = 'Adding' | 'Added' | 'InService' | 'Removing' | 'Removed';

export interface TrafficSourceAttachment {
  readonly identifier: string;
  readonly type: 'elbv2';
  /**
   * Which API family attached it (docs/aws-facts/traffic-sources.md#two-apis-one-group): the older
   * `LoadBalancerTargetGroups` calls or `TrafficSources`; undefined: attached when the group was created
   * (CloudFormation's TargetGroupARNs), which the older family describes.
   */
  readonly attachedWith?: 'LoadBalancerTargetGroups' | 'TrafficSources';
  state: TrafficSourceState;
  since: number;
}

export const AVAILABILITY_ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** A scaling activity, as DescribeScalingActivities reports it (failed launches show up here). */
export interface ActivityRecord {
  readonly id: string;
  readonly groupName: string;
  readonly description: string;
  readonly cause: string;
  readonly startTime: number;
  endTime?: number;
  // ScalingActivityStatusCode: MidLifecycleAction while a lifecycle hook holds the instance.
  statusCode: 'InProgress' | 'MidLifecycleAction' | 'Successful' | 'Failed';
  statusMessage?: string;
}

/** Activities kept per group; older ones are dropped (AWS keeps six weeks, far more than a scenario needs). */
export const MAX_ACTIVITIES = 1000;

/** UNCONFIRMED timings AWS does not document; chosen short but non-zero so every state is observable. */
export const TIMINGS = {
  /** Adding → Added: registering the group's instances with the target group. */
  attachSeconds: 5,
  /** How long a Removed traffic source still shows in DescribeTrafficSources. */
  removedVisibleSeconds: 5,
  /** ExitStandby: Pending before InService (the instance is already booted). */
  exitStandbySeconds: 5,
  /** Terminating: operating-system shutdown after draining. */
  shutdownSeconds: 10,
  /** How long a Terminated instance still shows in the group. */
  terminatedVisibleSeconds: 10,
  /** Retry interval after a failed launch (e.g. the AMI is missing or not available). */
  launchRetrySeconds: 10,
  /** A stopped or hibernated warm pool instance starting when the group draws on it. */
  warmStartSeconds: 10,
};

export class AutoScalingGroupState {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  min: number;
  desired: number;
  max: number;
  launchTemplate: { id: string; name: string; version: string };
  /** Set while the group uses a launch configuration (by name only; see GroupDescription). */
  launchConfigurationName?: string;
  /**
   * Set while the group uses a mixed instances policy: `launchTemplate` is then the policy's launch template
   * specification (docs/aws-facts/auto-scaling-mixed-instances.md).
   */
  mixedInstancesPolicy?: MixedInstancesPolicyState;
  /** docs/aws-facts/auto-scaling-scale-in-protection.md: new instances start protected. */
  newInstancesProtectedFromScaleIn: boolean;
  /** By name (docs/aws-facts/auto-scaling-lifecycle-hooks.md). */
  readonly lifecycleHooks = new Map<string, LifecycleHook>();
  /** docs/aws-facts/auto-scaling-warm-pools.md */
  warmPool?: WarmPoolState;
  /** Newest first (docs/aws-facts/auto-scaling-instance-refreshes.md). */
  readonly instanceRefreshes: InstanceRefreshRecord[];
  /** A refresh the description starts during the simulation, and when. */
  scheduledRefresh?: { at: number; preferences: InstanceRefreshDescription };
  /** The desired capacity at which scale-in last found every remaining instance protected. */
  protectedScaleInNoted?: number;
  healthCheckType: string;
  healthCheckGracePeriodSeconds: number;
  /** In launch order. */
  readonly instances = new Map<string, Instance>();
  readonly trafficSources = new Map<string, TrafficSourceAttachment>();
  readonly suspended = new Map<ScalingProcess, string>();
  readonly tags = new Map<string, { value: string; propagateAtLaunch: boolean }>();
  /** Instances marked Unhealthy and not yet replaced (replacement waits while ReplaceUnhealthy is suspended). */
  readonly unhealthy = new Set<string>();
  /** Oldest first. */
  readonly activities: ActivityRecord[] = [];
  nextLaunchAttemptAt = 0;

  constructor(description: GroupDescription, arn: string, now: number) {
    this.name = description.name;
    this.arn = arn;
    this.createdAt = now;
    this.min = description.min;
    this.desired = description.desired;
    this.max = description.max;
    this.launchTemplate = {
      id: description.launchTemplateId,
      name: description.launchTemplateName,
      version: description.launchTemplateVersion ?? '1',
    };
    this.launchConfigurationName = description.launchConfigurationName;
    this.mixedInstancesPolicy = mixedInstancesPolicyOf(description);
    if (this.mixedInstancesPolicy) this.launchTemplate = this.mixedInstancesPolicy.launchTemplate;
    this.newInstancesProtectedFromScaleIn = description.newInstancesProtectedFromScaleIn ?? false;
    for (const hook of lifecycleHooksOf(description)) this.lifecycleHooks.set(hook.name, hook);
    this.warmPool = warmPoolOf(description);
    this.instanceRefreshes = describedRefreshes(description.instanceRefreshes, now);
    if (description.startInstanceRefresh) {
      const at = now + (description.startInstanceRefresh.afterSeconds ?? 0) * 1000;
      this.scheduledRefresh = { at, preferences: description.startInstanceRefresh };
    }
    this.healthCheckType = description.healthCheckType;
    this.healthCheckGracePeriodSeconds = description.healthCheckGracePeriodSeconds;
    for (const [key, value] of Object.entries(description.tags ?? {})) {
      this.tags.set(key, { value, propagateAtLaunch: true });
    }
  }

  /** docs/aws-facts/auto-scaling-groups.md#suspended-processes: a process suspended again keeps its reason. */
  suspend(processes: ScalingProcess[], now: number): void {
    const reason = `User suspended at ${new Date(now).toISOString()}`;
    for (const process of processes) if (!this.suspended.has(process)) this.suspended.set(process, reason);
  }

  resume(processes: ScalingProcess[]): void {
    for (const process of processes) this.suspended.delete(process);
  }

  isSuspended(process: ScalingProcess): boolean {
    return this.suspended.has(process);
  }

  /** Traffic sources whose instances Auto Scaling keeps registered (attached and not being removed). */
  activeTrafficSources(): TrafficSourceAttachment[] {
    return [...this.trafficSources.values()].filter(
      (source) => source.state !== 'Removing' && source.state !== 'Removed',
    );
  }

  /** In capacity units: instance weights when a mixed instances policy gives them, one per instance otherwise. */
  capacity(): number {
    let units = 0;
    for (const instance of this.instances.values())
      if (countsTowardsCapacity(instance)) units += capacityUnits(instance);
    return units;
  }

  hooksFor(transition: LifecycleHook['transition']): LifecycleHook[] {
    return [...this.lifecycleHooks.values()].filter((hook) => hook.transition === transition);
  }
}

/** Auto Scaling quota: 50 tags per group (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-quotas.html). */
const MAX_TAGS = 50;

export interface GroupTag {
  key: string;
  value: string;
  propagateAtLaunch: boolean;
}

/** CreateOrUpdateTags: all or nothing, so no group may go over the quota. */
export function tagGroups(byGroup: Map<AutoScalingGroupState, GroupTag[]>): void {
  for (const [group, tags] of byGroup) {
    const keys = new Set([...group.tags.keys(), ...tags.map((tag) => tag.key)]);
    if (keys.size > MAX_TAGS) {
      throw serviceError(
        'autoscaling',
        'LimitExceededFault',
        `The quota of ${MAX_TAGS} tags per Auto Scaling group has been reached.`,
      );
    }
  }
  for (const [group, tags] of byGroup)
    for (const { key, value, propagateAtLaunch } of tags) group.tags.set(key, { value, propagateAtLaunch });
}

export function untagGroups(byGroup: Map<AutoScalingGroupState, string[]>): void {
  for (const [group, keys] of byGroup) for (const key of keys) group.tags.delete(key);
}
