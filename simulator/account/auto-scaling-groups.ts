/**
 * What Auto Scaling does on its own between API calls: launches and terminations to reach the desired
 * capacity, lifecycle transitions, ELB health replacement, and the states of attached traffic sources.
 */
import type { Ec2 } from './ec2';
import type { GroupDescription } from './environment';
import { countsTowardsCapacity, type Instance } from './instances';
import type { Random } from './random';
import type { TargetGroup } from './target-groups';

// AWS-FACTS "SuspendProcesses / ResumeProcesses".
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

// AWS-FACTS: traffic source states.
export type TrafficSourceState = 'Adding' | 'Added' | 'InService' | 'Removing' | 'Removed';

export interface TrafficSourceAttachment {
  readonly identifier: string;
  readonly type: 'elbv2';
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
  statusCode: 'InProgress' | 'Successful' | 'Failed';
  statusMessage?: string;
}

/** Activities kept per group; older ones are dropped (AWS keeps six weeks, far more than a scenario needs). */
const MAX_ACTIVITIES = 1000;

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
      version: '1',
    };
    this.launchConfigurationName = description.launchConfigurationName;
    this.healthCheckType = description.healthCheckType;
    this.healthCheckGracePeriodSeconds = description.healthCheckGracePeriodSeconds;
    for (const [key, value] of Object.entries(description.tags ?? {})) {
      this.tags.set(key, { value, propagateAtLaunch: true });
    }
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

  capacity(): number {
    let count = 0;
    for (const instance of this.instances.values()) if (countsTowardsCapacity(instance)) count++;
    return count;
  }
}

export interface FleetDependencies {
  ec2: Ec2;
  targetGroup: (arn: string) => TargetGroup | undefined;
  allTargetGroups: () => Iterable<TargetGroup>;
  /** Every instance ever launched, kept after termination so its id stays known. */
  registry: Map<string, Instance>;
  ids: Random;
  bootSeconds: number;
}

/** The behaviour of all groups; the API layer (auto-scaling.ts) validates and then calls in here. */
export class Fleet {
  readonly groups = new Map<string, AutoScalingGroupState>();
  private launches = 0;
  /** The activity each instance's current transition belongs to, completed when the transition ends. */
  private readonly openActivities = new Map<string, ActivityRecord>();

  constructor(private readonly deps: FleetDependencies) {}

  step(now: number): void {
    for (const group of this.groups.values()) {
      this.advanceLifecycles(group, now);
      this.replaceUnhealthy(group, now);
      this.reconcileCapacity(group, now);
      this.advanceTrafficSources(group, now);
    }
  }

  /** A steady-state instance: booted long ago, InService and registered healthy where the group is attached. */
  seedInService(group: AutoScalingGroupState, now: number, bootSeconds: number): Instance {
    const resolved = this.deps.ec2.resolveLaunch(group.launchTemplate.id, group.launchTemplate.version);
    const launchedAt = now - (bootSeconds + 3600) * 1000;
    const instance = this.newInstance(
      group,
      resolved.imageId ?? '',
      resolved.instanceType,
      resolved.version,
      launchedAt,
    );
    instance.lifecycleState = 'InService';
    instance.inServiceSince = launchedAt + bootSeconds * 1000;
    instance.transitionAt = undefined;
    for (const source of group.activeTrafficSources()) {
      const targetGroup = this.deps.targetGroup(source.identifier);
      const intervalMs = (targetGroup?.healthCheck.intervalSeconds ?? 30) * 1000;
      // Spread the checks over the interval, as they would be after the fleet has run for a while.
      targetGroup?.registerHealthy(
        instance.id,
        now,
        now + this.deps.ids.int(intervalMs / 1000) * 1000 + 1000,
      );
    }
    return instance;
  }

  /** Start launching one instance; false when the launch fails (the group retries later). */
  launch(group: AutoScalingGroupState, now: number): boolean {
    if (group.launchConfigurationName !== undefined) {
      throw new Error(
        `${group.name} uses launch configuration ${group.launchConfigurationName}, which the simulated account models by name only: it cannot launch from it`,
      );
    }
    let imageId: string | undefined;
    let instanceType: string | undefined;
    let version: number;
    try {
      ({ imageId, instanceType, version } = this.deps.ec2.resolveLaunch(
        group.launchTemplate.id,
        group.launchTemplate.version,
      ));
    } catch (error) {
      return this.launchFailed(group, now, error instanceof Error ? error.message : String(error));
    }
    const image = imageId === undefined ? undefined : this.deps.ec2.images.get(imageId);
    // Launch template parameters are only validated at launch (EC2 user guide, "Launch template
    // restrictions"); a missing or unavailable AMI fails the launch, Auto Scaling keeps retrying.
    if (!image) return this.launchFailed(group, now, `The image id '[${imageId}]' does not exist.`);
    if (image.state !== 'available') {
      return this.launchFailed(
        group,
        now,
        `The image '${image.id}' is not available (state: ${image.state}).`,
      );
    }
    const instance = this.newInstance(group, image.id, instanceType, version, now);
    this.openActivity(
      group,
      instance,
      `Launching a new EC2 instance: ${instance.id}`,
      'an instance was started in response to a difference between desired and actual capacity',
      now,
    );
    // AWS-FACTS: scale-out registers the instance with the attached target groups while it is Pending.
    if (!group.isSuspended('AddToLoadBalancer')) this.registerWithTrafficSources(group, instance, now);
    return true;
  }

  /** Deregister (draining), then shut down and terminate. */
  startTermination(instance: Instance, now: number, cause: string): ActivityRecord {
    instance.lifecycleState = 'Terminating';
    const drainedAt = this.deregisterEverywhere(instance, now);
    instance.stoppedAt = drainedAt;
    instance.transitionAt = drainedAt + TIMINGS.shutdownSeconds * 1000;
    return this.openActivity(
      this.groupFor(instance),
      instance,
      `Terminating EC2 instance: ${instance.id}`,
      cause,
      now,
    );
  }

  /** AWS-FACTS EnterStandby: deregistered, EnteringStandby for the deregistration delay, then Standby. */
  enterStandby(instance: Instance, now: number): ActivityRecord {
    instance.lifecycleState = 'EnteringStandby';
    instance.transitionAt = this.deregisterEverywhere(instance, now);
    const description = `Moving EC2 instance to Standby: ${instance.id}`;
    return this.openActivity(
      this.groupFor(instance),
      instance,
      description,
      'an instance was moved to standby',
      now,
    );
  }

  /** AWS-FACTS ExitStandby: Pending, registered again with the attached target groups, then InService. */
  exitStandby(group: AutoScalingGroupState, instance: Instance, now: number): ActivityRecord {
    instance.lifecycleState = 'Pending';
    instance.healthStatus = 'Healthy';
    instance.transitionAt = now + TIMINGS.exitStandbySeconds * 1000;
    // UNCONFIRMED: whether a suspended AddToLoadBalancer also skips re-registration on ExitStandby; modelled
    // as skipping it (the conservative reading: AWS-FACTS says to avoid suspending it).
    if (!group.isSuspended('AddToLoadBalancer')) this.registerWithTrafficSources(group, instance, now);
    const description = `Moving EC2 instance out of Standby: ${instance.id}`;
    return this.openActivity(group, instance, description, 'an instance was moved out of standby', now);
  }

  attachTrafficSource(group: AutoScalingGroupState, identifier: string, now: number): void {
    const existing = group.trafficSources.get(identifier);
    // Attaching is additive: attaching an attached source changes nothing.
    if (existing && existing.state !== 'Removing' && existing.state !== 'Removed') return;
    // UNCONFIRMED: re-attaching while Removing; modelled as a fresh attachment that registers again.
    group.trafficSources.set(identifier, { identifier, type: 'elbv2', state: 'Adding', since: now });
    // AWS-FACTS: existing instances are registered. UNCONFIRMED: whether a suspended AddToLoadBalancer also
    // stops this; modelled as registering anyway (the suspension is documented for launches).
    const targetGroup = this.deps.targetGroup(identifier);
    for (const instance of group.instances.values()) {
      if (countsTowardsCapacity(instance)) targetGroup?.register(instance.id, now);
    }
  }

  detachTrafficSource(group: AutoScalingGroupState, identifier: string, now: number): void {
    const source = group.trafficSources.get(identifier);
    if (!source) return;
    source.state = 'Removing';
    source.since = now;
    // AWS-FACTS: instances keep running; they are deregistered and drain.
    const targetGroup = this.deps.targetGroup(identifier);
    for (const instance of group.instances.values()) targetGroup?.deregister(instance.id, now);
  }

  groupOf(instanceId: string): AutoScalingGroupState | undefined {
    const instance = this.deps.registry.get(instanceId);
    return instance ? this.groups.get(instance.groupName) : undefined;
  }

  private newInstance(
    group: AutoScalingGroupState,
    amiId: string,
    instanceType: string | undefined,
    version: number,
    launchedAt: number,
  ): Instance {
    const bootedAt = launchedAt + this.deps.bootSeconds * 1000;
    const instance: Instance = {
      id: `i-${this.deps.ids.hex(17)}`,
      groupName: group.name,
      amiId,
      instanceType: instanceType ?? 't3.micro',
      availabilityZone: AVAILABILITY_ZONES[this.launches++ % AVAILABILITY_ZONES.length] as string,
      launchTemplate: { id: group.launchTemplate.id, name: group.launchTemplate.name, version },
      launchedAt,
      bootedAt,
      lifecycleState: 'Pending',
      healthStatus: 'Healthy',
      transitionAt: bootedAt,
    };
    group.instances.set(instance.id, instance);
    this.deps.registry.set(instance.id, instance);
    return instance;
  }

  private launchFailed(group: AutoScalingGroupState, now: number, reason: string): false {
    group.nextLaunchAttemptAt = now + TIMINGS.launchRetrySeconds * 1000;
    this.record(group, {
      id: this.deps.ids.uuid(),
      groupName: group.name,
      description: `Launching a new EC2 instance.  Status Reason: ${reason} Launching EC2 instance failed.`,
      cause: `At ${new Date(now).toISOString()} an instance was started in response to a difference between desired and actual capacity.`,
      startTime: now,
      endTime: now,
      statusCode: 'Failed',
      statusMessage: `${reason} Launching EC2 instance failed.`,
    });
    return false;
  }

  private openActivity(
    group: AutoScalingGroupState,
    instance: Instance,
    description: string,
    cause: string,
    now: number,
  ): ActivityRecord {
    const activity: ActivityRecord = {
      id: this.deps.ids.uuid(),
      groupName: group.name,
      description,
      cause: `At ${new Date(now).toISOString()} ${cause}.`,
      startTime: now,
      statusCode: 'InProgress',
    };
    this.record(group, activity);
    this.closeActivity(instance.id, now);
    this.openActivities.set(instance.id, activity);
    return activity;
  }

  private closeActivity(instanceId: string, now: number): void {
    const activity = this.openActivities.get(instanceId);
    if (!activity) return;
    activity.statusCode = 'Successful';
    activity.endTime = now;
    this.openActivities.delete(instanceId);
  }

  private record(group: AutoScalingGroupState, activity: ActivityRecord): void {
    group.activities.push(activity);
    if (group.activities.length > MAX_ACTIVITIES) group.activities.shift();
  }

  private groupFor(instance: Instance): AutoScalingGroupState {
    const group = this.groups.get(instance.groupName);
    if (!group) throw new Error(`Instance ${instance.id} belongs to no group`);
    return group;
  }

  private registerWithTrafficSources(group: AutoScalingGroupState, instance: Instance, now: number): void {
    for (const source of group.activeTrafficSources())
      this.deps.targetGroup(source.identifier)?.register(instance.id, now);
  }

  /** Deregisters the instance from every target group; returns when the last one has drained it. */
  private deregisterEverywhere(instance: Instance, now: number): number {
    let drainedAt = now;
    for (const targetGroup of this.deps.allTargetGroups()) {
      targetGroup.deregister(instance.id, now);
      drainedAt = Math.max(drainedAt, targetGroup.drainingUntil(instance.id) ?? now);
    }
    return drainedAt;
  }

  private advanceLifecycles(group: AutoScalingGroupState, now: number): void {
    for (const instance of group.instances.values()) {
      if (instance.transitionAt === undefined || now < instance.transitionAt) continue;
      switch (instance.lifecycleState) {
        case 'Pending':
          instance.lifecycleState = 'InService';
          instance.inServiceSince = now;
          instance.transitionAt = undefined;
          this.closeActivity(instance.id, now);
          break;
        case 'EnteringStandby':
          instance.lifecycleState = 'Standby';
          instance.transitionAt = undefined;
          this.closeActivity(instance.id, now);
          break;
        case 'Terminating':
          instance.lifecycleState = 'Terminated';
          instance.transitionAt = now + TIMINGS.terminatedVisibleSeconds * 1000;
          this.closeActivity(instance.id, now);
          break;
        case 'Terminated':
          group.instances.delete(instance.id);
          break;
        default:
          instance.transitionAt = undefined;
      }
    }
  }

  /**
   * With ELB health checks, an InService instance past its grace period that a target group of the group
   * reports unhealthy is marked Unhealthy and replaced (AWS-FACTS: HealthCheckType, HealthCheckGracePeriod).
   * Standby instances are not health-checked.
   */
  private replaceUnhealthy(group: AutoScalingGroupState, now: number): void {
    if (!group.healthCheckType.split(',').includes('ELB')) return;
    const graceMs = group.healthCheckGracePeriodSeconds * 1000;
    if (!group.isSuspended('HealthCheck')) {
      for (const source of group.activeTrafficSources()) {
        for (const id of this.deps.targetGroup(source.identifier)?.unhealthyIds ?? []) {
          const instance = group.instances.get(id);
          if (instance?.lifecycleState !== 'InService' || instance.healthStatus !== 'Healthy') continue;
          if (now < (instance.inServiceSince ?? now) + graceMs) continue;
          instance.healthStatus = 'Unhealthy';
          group.unhealthy.add(id);
        }
      }
    }
    if (group.isSuspended('ReplaceUnhealthy')) return;
    for (const id of group.unhealthy) {
      const instance = group.instances.get(id);
      if (instance?.lifecycleState === 'InService' && instance.healthStatus === 'Unhealthy') {
        const cause =
          'an instance was taken out of service in response to an ELB system health check failure';
        this.startTermination(instance, now, cause);
      }
      group.unhealthy.delete(id);
    }
  }

  private reconcileCapacity(group: AutoScalingGroupState, now: number): void {
    const capacity = group.capacity();
    if (capacity < group.desired) {
      if (group.isSuspended('Launch') || now < group.nextLaunchAttemptAt) return;
      for (let i = capacity; i < group.desired; i++) if (!this.launch(group, now)) break;
      return;
    }
    if (capacity > group.desired && !group.isSuspended('Terminate')) {
      // AWS-FACTS: scale-in never picks Standby instances (they do not count towards capacity).
      const cause =
        'an instance was taken out of service in response to a difference between desired and actual capacity';
      for (const victim of this.scaleInVictims(group, capacity - group.desired)) {
        this.startTermination(victim, now, cause);
      }
    }
  }

  /**
   * Default termination policy, simplified: instances not on the group's current launch template version
   * first, then the oldest. UNCONFIRMED: AWS first balances Availability Zones and finally picks the instance
   * closest to the next billing hour.
   */
  private scaleInVictims(group: AutoScalingGroupState, count: number): Instance[] {
    let current: { id: string; version: number } | undefined;
    try {
      const resolved = this.deps.ec2.resolveLaunch(group.launchTemplate.id, group.launchTemplate.version);
      current = { id: resolved.template.id, version: resolved.version };
    } catch {
      current = undefined;
    }
    const outdated = (instance: Instance): number =>
      current &&
      instance.launchTemplate.id === current.id &&
      instance.launchTemplate.version === current.version
        ? 1
        : 0;
    return [...group.instances.values()]
      .filter(countsTowardsCapacity)
      .sort((a, b) => outdated(a) - outdated(b) || a.launchedAt - b.launchedAt)
      .slice(0, count);
  }

  private advanceTrafficSources(group: AutoScalingGroupState, now: number): void {
    for (const source of group.trafficSources.values()) {
      const targetGroup = this.deps.targetGroup(source.identifier);
      switch (source.state) {
        case 'Adding':
          if (now >= source.since + TIMINGS.attachSeconds * 1000) {
            source.state = 'Added';
            source.since = now;
          }
          break;
        case 'Added':
          // AWS-FACTS: InService once at least one instance passed an ELB health check.
          if ([...group.instances.keys()].some((id) => targetGroup?.targets.get(id)?.state === 'healthy')) {
            source.state = 'InService';
            source.since = now;
          }
          break;
        case 'Removing':
          if (![...group.instances.keys()].some((id) => targetGroup?.targets.has(id))) {
            source.state = 'Removed';
            source.since = now;
          }
          break;
        case 'Removed':
          if (now >= source.since + TIMINGS.removedVisibleSeconds * 1000)
            group.trafficSources.delete(source.identifier);
          break;
        default:
          break;
      }
    }
  }
}
