/**
 * What happens to one instance of a group: launch, registration with the group's traffic sources, the
 * moves into and out of Standby, termination, and each lifecycle state giving way to the next.
 */
import {
  AVAILABILITY_ZONES,
  TIMINGS,
  type ActivityRecord,
  type AutoScalingGroupState,
} from './auto-scaling-group';
import type { Ec2 } from './ec2';
import { countsTowardsCapacity, type Instance } from './instances';
import type { Random } from './random';
import { ScalingActivities } from './scaling-activities';
import type { TargetGroup } from './target-groups';

export interface InstanceDependencies {
  ec2: Ec2;
  targetGroup: (arn: string) => TargetGroup | undefined;
  allTargetGroups: () => Iterable<TargetGroup>;
  /** Every instance ever launched, kept after termination so its id stays known. */
  registry: Map<string, Instance>;
  ids: Random;
  bootSeconds: number;
}

export class InstanceLifecycle {
  readonly activities: ScalingActivities;
  private launches = 0;

  constructor(
    private readonly deps: InstanceDependencies,
    private readonly groupOf: (instance: Instance) => AutoScalingGroupState,
  ) {
    this.activities = new ScalingActivities(deps.ids);
  }

  /** A steady-state instance: booted long ago, InService and registered healthy where the group is attached. */
  seedInService(group: AutoScalingGroupState, now: number): Instance {
    const bootSeconds = this.deps.bootSeconds;
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
    if (group.mixedInstancesPolicy) {
      throw new Error(
        `${group.name} uses a mixed instances policy, which the simulated account cannot launch from`,
      );
    }
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
    this.activities.start(
      group,
      instance.id,
      `Launching a new EC2 instance: ${instance.id}`,
      'an instance was started in response to a difference between desired and actual capacity',
      now,
    );
    // Scale-out registers the instance with the attached target groups while it is Pending (the order is
    // UNCONFIRMED: docs/aws-facts/auto-scaling-groups.md#instance-lifecycle).
    if (!group.isSuspended('AddToLoadBalancer')) this.registerWithTrafficSources(group, instance, now);
    return true;
  }

  /** Deregister (draining), then shut down and terminate. */
  startTermination(instance: Instance, now: number, cause: string): ActivityRecord {
    instance.lifecycleState = 'Terminating';
    const drainedAt = this.deregisterEverywhere(instance, now);
    instance.stoppedAt = drainedAt;
    instance.transitionAt = drainedAt + TIMINGS.shutdownSeconds * 1000;
    const description = `Terminating EC2 instance: ${instance.id}`;
    return this.activities.start(this.groupOf(instance), instance.id, description, cause, now);
  }

  /**
   * docs/aws-facts/auto-scaling-standby.md#enterstandby: deregistered, EnteringStandby for the deregistration
   * delay, then Standby.
   */
  enterStandby(instance: Instance, now: number): ActivityRecord {
    instance.lifecycleState = 'EnteringStandby';
    instance.transitionAt = this.deregisterEverywhere(instance, now);
    const description = `Moving EC2 instance to Standby: ${instance.id}`;
    const cause = 'an instance was moved to standby';
    return this.activities.start(this.groupOf(instance), instance.id, description, cause, now);
  }

  /**
   * docs/aws-facts/auto-scaling-standby.md#exitstandby: Pending, registered again with the attached target
   * groups, then InService.
   */
  exitStandby(group: AutoScalingGroupState, instance: Instance, now: number): ActivityRecord {
    instance.lifecycleState = 'Pending';
    instance.healthStatus = 'Healthy';
    instance.transitionAt = now + TIMINGS.exitStandbySeconds * 1000;
    // UNCONFIRMED: whether a suspended AddToLoadBalancer also skips re-registration on ExitStandby; modelled
    // as skipping it (the conservative reading: docs/aws-facts/auto-scaling-standby.md#exitstandby).
    if (!group.isSuspended('AddToLoadBalancer')) this.registerWithTrafficSources(group, instance, now);
    const description = `Moving EC2 instance out of Standby: ${instance.id}`;
    return this.activities.start(
      group,
      instance.id,
      description,
      'an instance was moved out of standby',
      now,
    );
  }

  /** Registers the group's running instances with a traffic source just attached. */
  registerAll(group: AutoScalingGroupState, targetGroupArn: string, now: number): void {
    const targetGroup = this.deps.targetGroup(targetGroupArn);
    for (const instance of group.instances.values()) {
      if (countsTowardsCapacity(instance)) targetGroup?.register(instance.id, now);
    }
  }

  /** Deregisters the group's instances from a traffic source being detached (they keep running and drain). */
  deregisterAll(group: AutoScalingGroupState, targetGroupArn: string, now: number): void {
    const targetGroup = this.deps.targetGroup(targetGroupArn);
    for (const instance of group.instances.values()) targetGroup?.deregister(instance.id, now);
  }

  /** Moves the group's instances whose transition is due to their next lifecycle state. */
  advance(group: AutoScalingGroupState, now: number): void {
    for (const instance of group.instances.values()) {
      if (instance.transitionAt === undefined || now < instance.transitionAt) continue;
      switch (instance.lifecycleState) {
        case 'Pending':
          instance.lifecycleState = 'InService';
          instance.inServiceSince = now;
          instance.transitionAt = undefined;
          this.activities.complete(instance.id, now);
          break;
        case 'EnteringStandby':
          instance.lifecycleState = 'Standby';
          instance.transitionAt = undefined;
          this.activities.complete(instance.id, now);
          break;
        case 'Terminating':
          instance.lifecycleState = 'Terminated';
          instance.transitionAt = now + TIMINGS.terminatedVisibleSeconds * 1000;
          this.activities.complete(instance.id, now);
          break;
        case 'Terminated':
          group.instances.delete(instance.id);
          break;
        default:
          instance.transitionAt = undefined;
      }
    }
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
    this.activities.launchFailed(group, reason, now);
    return false;
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
}
