// Over 250 lines: every transition of one instance (launch, warm pool, lifecycle hooks, standby, termination) in one state machine, so that no state is moved from two places.
/**
 * What happens to one instance of a group: launch (from the template, a mixed instances policy or the warm
 * pool), registration with the group's traffic sources, lifecycle hooks' wait states, the moves into and out
 * of Standby, termination, and each lifecycle state giving way to the next.
 */
import {
  AVAILABILITY_ZONES,
  TIMINGS,
  type ActivityRecord,
  type AutoScalingGroupState,
} from './auto-scaling-group';
import {
  dueResults,
  startActions,
  type LifecycleActionResult,
  type LifecycleTransition,
} from './auto-scaling-lifecycle-hooks';
import { nextLaunch, type LaunchChoice } from './auto-scaling-mixed-instances';
import { restingState } from './auto-scaling-warm-pools';
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

const LAUNCHING: LifecycleTransition = 'autoscaling:EC2_INSTANCE_LAUNCHING';
const TERMINATING: LifecycleTransition = 'autoscaling:EC2_INSTANCE_TERMINATING';

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
    const choice = this.choose(group);
    const instance = this.newInstance(
      group,
      resolved.imageId ?? '',
      choice.instanceType ?? resolved.instanceType,
      resolved.version,
      launchedAt,
      choice,
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

  /** A prepared warm pool instance the group starts with (docs/aws-facts/auto-scaling-warm-pools.md). */
  seedWarm(group: AutoScalingGroupState, now: number): void {
    const pool = group.warmPool;
    if (!pool) return;
    const resolved = this.deps.ec2.resolveLaunch(group.launchTemplate.id, group.launchTemplate.version);
    const launchedAt = now - (this.deps.bootSeconds + 3600) * 1000;
    const instance = this.newInstance(
      group,
      resolved.imageId ?? '',
      resolved.instanceType,
      resolved.version,
      launchedAt,
      { purchaseOption: 'on-demand' },
      pool.instances,
    );
    this.rest(group, instance, now);
  }

  /** Start launching one instance; false when the launch fails (the group retries later). */
  launch(group: AutoScalingGroupState, now: number, intoWarmPool = false): boolean {
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
    if (intoWarmPool && group.warmPool) {
      const instance = this.newInstance(
        group,
        image.id,
        instanceType,
        version,
        now,
        { purchaseOption: 'on-demand' },
        group.warmPool.instances,
      );
      // UNCONFIRMED: launch hooks in the warm pool (Warmed:Pending:Wait) are not modelled.
      instance.lifecycleState = 'Warmed:Pending';
      this.activities.start(
        group,
        instance.id,
        `Launching a new EC2 instance into warm pool: ${instance.id}`,
        'an instance was launched into the warm pool to maintain its size',
        now,
      );
      return true;
    }
    const choice = this.choose(group);
    const instance = this.newInstance(
      group,
      image.id,
      choice.instanceType ?? instanceType,
      version,
      now,
      choice,
    );
    this.activities.start(
      group,
      instance.id,
      `Launching a new EC2 instance: ${instance.id}`,
      'an instance was started in response to a difference between desired and actual capacity',
      now,
    );
    this.launched(group, instance, now);
    return true;
  }

  /**
   * Scale-out draws on the warm pool first (PutWarmPool API reference: "Whenever your application needs to
   * scale out, the Auto Scaling group can draw on the warm pool"): the instance starts if it was stopped or
   * hibernated, then goes through Pending like a new launch, and inherits the group's scale-in protection
   * (docs/aws-facts/auto-scaling-scale-in-protection.md).
   */
  launchFromWarmPool(group: AutoScalingGroupState, instance: Instance, now: number): void {
    group.warmPool?.instances.delete(instance.id);
    group.instances.set(instance.id, instance);
    if (instance.stoppedAt !== undefined) {
      instance.bootedAt = now + TIMINGS.warmStartSeconds * 1000;
      instance.stoppedAt = undefined;
    }
    instance.lifecycleState = 'Pending';
    instance.healthStatus = 'Healthy';
    instance.transitionAt = Math.max(now + 1000, instance.bootedAt);
    instance.protectedFromScaleIn = group.newInstancesProtectedFromScaleIn;
    this.activities.start(
      group,
      instance.id,
      `Launching a new EC2 instance from warm pool: ${instance.id}`,
      'an instance was started in response to a difference between desired and actual capacity',
      now,
    );
    this.launched(group, instance, now);
  }

  /** Terminates a warm pool instance the pool no longer needs (or the pool being deleted). */
  terminateWarm(group: AutoScalingGroupState, instance: Instance, now: number): void {
    instance.lifecycleState = 'Warmed:Terminating';
    instance.stoppedAt ??= now;
    instance.transitionAt = now + TIMINGS.shutdownSeconds * 1000;
    this.activities.start(
      group,
      instance.id,
      `Terminating EC2 instance in warm pool: ${instance.id}`,
      'an instance was taken out of the warm pool to maintain its size',
      now,
    );
  }

  /**
   * Deregister (draining), then the terminate hooks' wait states when the group has such hooks
   * (docs/aws-facts/auto-scaling-lifecycle-hooks.md#wait-states: deregistered first), then shut down and
   * terminate. A launch still waiting on its hooks gives them up.
   */
  startTermination(instance: Instance, now: number, cause: string, runHooks = true): ActivityRecord {
    const group = this.groupOf(instance);
    instance.lifecycleActions = undefined;
    instance.launchHooksPending = false;
    instance.lifecycleState = 'Terminating';
    const drainedAt = this.deregisterEverywhere(instance, now);
    if (runHooks && group.hooksFor(TERMINATING).length > 0) {
      instance.terminationHooksPending = true;
      instance.transitionAt = drainedAt;
    } else {
      instance.stoppedAt = drainedAt;
      instance.transitionAt = drainedAt + TIMINGS.shutdownSeconds * 1000;
    }
    const description = `Terminating EC2 instance: ${instance.id}`;
    return this.activities.start(group, instance.id, description, cause, now);
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
      // A launch still held by its hooks is registered once they complete.
      const held = instance.launchHooksPending || instance.lifecycleState === 'Pending:Wait';
      if (countsTowardsCapacity(instance) && !held) targetGroup?.register(instance.id, now);
    }
  }

  /** Deregisters the group's instances from a traffic source being detached (they keep running and drain). */
  deregisterAll(group: AutoScalingGroupState, targetGroupArn: string, now: number): void {
    const targetGroup = this.deps.targetGroup(targetGroupArn);
    for (const instance of group.instances.values()) targetGroup?.deregister(instance.id, now);
  }

  /**
   * A lifecycle action ends with `result` (CompleteLifecycleAction, the team's answer, a timeout). A launch
   * proceeds once every launch hook continued; ABANDON terminates it (the group launches a replacement). A
   * termination proceeds once every terminate hook is done; ABANDON skips the remaining ones
   * (docs/aws-facts/auto-scaling-lifecycle-hooks.md#results).
   */
  completeAction(instance: Instance, hookName: string, result: LifecycleActionResult, now: number): void {
    const actions = instance.lifecycleActions;
    const action = actions?.get(hookName);
    if (!actions || !action) return;
    actions.delete(hookName);
    const group = this.groupOf(instance);
    if (instance.lifecycleState === 'Pending:Wait') {
      if (result === 'ABANDON') {
        // As AWS words the failed launch activity (UNCONFIRMED).
        this.activities.fail(
          instance.id,
          `Instance failed to complete user's Lifecycle Action: Lifecycle Action with token ${action.token} was abandoned: Lifecycle Action Completed with ABANDON Result`,
          now,
        );
        this.startTermination(
          instance,
          now,
          'an instance was taken out of service because its launch lifecycle action was abandoned',
          false,
        );
        return;
      }
      if (actions.size > 0) return;
      instance.lifecycleActions = undefined;
      instance.lifecycleState = 'Pending:Proceed';
      instance.transitionAt = Math.max(now + 1000, instance.bootedAt);
      this.setActivityStatus(instance, 'InProgress');
      // docs/aws-facts/auto-scaling-lifecycle-hooks.md#registration: registered only once the hooks completed.
      if (!group.isSuspended('AddToLoadBalancer')) this.registerWithTrafficSources(group, instance, now);
      return;
    }
    if (instance.lifecycleState === 'Terminating:Wait') {
      if (result === 'ABANDON') actions.clear();
      if (actions.size > 0) return;
      instance.lifecycleActions = undefined;
      instance.lifecycleState = 'Terminating:Proceed';
      instance.stoppedAt = now;
      instance.transitionAt = now + TIMINGS.shutdownSeconds * 1000;
      this.setActivityStatus(instance, 'InProgress');
    }
  }

  /** Moves the group's instances whose transition is due to their next lifecycle state. */
  advance(group: AutoScalingGroupState, now: number): void {
    for (const instance of group.instances.values()) {
      for (const [hookName, result] of dueResults(instance, group.lifecycleHooks, now))
        this.completeAction(instance, hookName, result, now);
      if (instance.transitionAt === undefined || now < instance.transitionAt) continue;
      this.transition(group, instance, now);
    }
    for (const instance of group.warmPool?.instances.values() ?? []) {
      if (instance.transitionAt === undefined || now < instance.transitionAt) continue;
      if (instance.lifecycleState === 'Warmed:Pending') this.rest(group, instance, now);
      else if (instance.lifecycleState === 'Warmed:Terminating') {
        instance.lifecycleState = 'Warmed:Terminated';
        instance.transitionAt = now + TIMINGS.terminatedVisibleSeconds * 1000;
        this.activities.complete(instance.id, now);
      } else if (instance.lifecycleState === 'Warmed:Terminated')
        group.warmPool?.instances.delete(instance.id);
      else instance.transitionAt = undefined;
    }
  }

  private transition(group: AutoScalingGroupState, instance: Instance, now: number): void {
    switch (instance.lifecycleState) {
      case 'Pending':
        if (instance.launchHooksPending) {
          instance.launchHooksPending = false;
          this.wait(group, instance, 'Pending:Wait', LAUNCHING, now);
          break;
        }
        // docs/aws-facts/auto-scaling-groups.md#instance-lifecycle: a launched instance is registered with
        // the group's target groups just before it reaches InService, once it is configured (booted), not
        // when it starts: registered while booting it would fail its first health checks and count as
        // unhealthy. An instance leaving Standby was registered when it left (it has been in service).
        if (instance.inServiceSince === undefined && !group.isSuspended('AddToLoadBalancer'))
          this.registerWithTrafficSources(group, instance, now);
        this.inService(instance, now);
        break;
      case 'Pending:Proceed':
        this.inService(instance, now);
        break;
      case 'EnteringStandby':
        instance.lifecycleState = 'Standby';
        instance.transitionAt = undefined;
        this.activities.complete(instance.id, now);
        break;
      case 'Terminating':
        if (instance.terminationHooksPending) {
          instance.terminationHooksPending = false;
          this.wait(group, instance, 'Terminating:Wait', TERMINATING, now);
          break;
        }
        if (instance.returnToWarmPool && group.warmPool) {
          instance.returnToWarmPool = false;
          this.activities.complete(instance.id, now);
          group.instances.delete(instance.id);
          group.warmPool.instances.set(instance.id, instance);
          this.rest(group, instance, now);
          break;
        }
        instance.lifecycleState = 'Terminated';
        instance.transitionAt = now + TIMINGS.terminatedVisibleSeconds * 1000;
        this.activities.complete(instance.id, now);
        break;
      case 'Terminating:Proceed':
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

  private inService(instance: Instance, now: number): void {
    instance.lifecycleState = 'InService';
    instance.inServiceSince = now;
    instance.transitionAt = undefined;
    this.activities.complete(instance.id, now);
  }

  /** docs/aws-facts/auto-scaling-lifecycle-hooks.md#wait-states: one action per hook of the transition. */
  private wait(
    group: AutoScalingGroupState,
    instance: Instance,
    state: 'Pending:Wait' | 'Terminating:Wait',
    transition: LifecycleTransition,
    now: number,
  ): void {
    const hooks = group.hooksFor(transition);
    instance.lifecycleState = state;
    instance.transitionAt = undefined;
    startActions(instance, hooks, now, () => this.deps.ids.uuid());
    this.setActivityStatus(instance, 'MidLifecycleAction');
    // Every hook deleted meanwhile: nothing to wait for.
    if (hooks.length === 0) {
      instance.lifecycleActions = new Map([
        ['', { hookName: '', token: '', timeoutAt: now, globalTimeoutAt: now }],
      ]);
      this.completeAction(instance, '', 'CONTINUE', now);
    }
  }

  private setActivityStatus(instance: Instance, status: ActivityRecord['statusCode']): void {
    const activity = this.activities.openFor(instance.id);
    if (activity) activity.statusCode = status;
  }

  /** A prepared warm pool instance rests in the pool's state: stopped or hibernated, or running. */
  private rest(group: AutoScalingGroupState, instance: Instance, now: number): void {
    const pool = group.warmPool;
    if (!pool) return;
    instance.lifecycleState = restingState(pool);
    instance.transitionAt = undefined;
    instance.inServiceSince = undefined;
    instance.stoppedAt = pool.poolState === 'Running' ? undefined : now;
    this.activities.complete(instance.id, now);
  }

  /** Registration and lifecycle hooks of an instance entering the group (a launch or a warm instance). */
  private launched(group: AutoScalingGroupState, instance: Instance, now: number): void {
    if (group.hooksFor(LAUNCHING).length > 0) {
      // docs/aws-facts/auto-scaling-lifecycle-hooks.md: Pending, then Pending:Wait; registered after.
      instance.launchHooksPending = true;
      instance.transitionAt = now + 1000;
      return;
    }
    // Registered with the attached target groups as it goes InService, not while it boots (below).
  }

  private choose(group: AutoScalingGroupState): LaunchChoice {
    return group.mixedInstancesPolicy
      ? nextLaunch(group.mixedInstancesPolicy, group.desired, group.instances.values())
      : { purchaseOption: 'on-demand' };
  }

  private newInstance(
    group: AutoScalingGroupState,
    amiId: string,
    instanceType: string | undefined,
    version: number,
    launchedAt: number,
    choice: LaunchChoice,
    into: Map<string, Instance> = group.instances,
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
      purchaseOption: choice.purchaseOption,
      ...(choice.weightedCapacity === undefined ? {} : { weightedCapacity: choice.weightedCapacity }),
      protectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
    };
    into.set(instance.id, instance);
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
