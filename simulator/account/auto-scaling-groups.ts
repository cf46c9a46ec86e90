// Over 250 lines: one method per request that changes a group, each with its documented rule.
/**
 * The Auto Scaling groups of the account and every change a request makes to them, each with the rule AWS
 * documents for it; the API layer (auto-scaling.ts) checks the request's shape and calls one method here.
 * What Auto Scaling does on its own between calls is in auto-scaling-reconcile.ts, an instance's transitions
 * in auto-scaling-instances.ts.
 */
import type { ActivityRecord, AutoScalingGroupState } from './auto-scaling-group';
import { GroupFeatures } from './auto-scaling-features';
import { InstanceLifecycle, type InstanceDependencies } from './auto-scaling-instances';
import type { MixedInstancesPolicyState } from './auto-scaling-mixed-instances';
import { reconcile } from './auto-scaling-reconcile';
import { targetPoolSize } from './auto-scaling-warm-pools';
import { serviceError } from './errors';
import { countsTowardsCapacity, type Instance } from './instances';

export type FleetDependencies = InstanceDependencies;

const validation = (message: string): Error => serviceError('autoscaling', 'ValidationError', message);

const USER_TERMINATION = 'an instance was taken out of service in response to a user request';

/** What an UpdateAutoScalingGroup request sets; anything omitted stays as it is. */
export interface GroupUpdate {
  min?: number;
  max?: number;
  desired?: number;
  launchTemplate?: { id: string; name: string; version: string };
  healthCheckType?: string;
  healthCheckGracePeriodSeconds?: number;
  /** The whole policy after the update (auto-scaling-mixed-instances.ts merges the request into it). */
  mixedInstancesPolicy?: MixedInstancesPolicyState;
  newInstancesProtectedFromScaleIn?: boolean;
}

export class Fleet {
  readonly groups = new Map<string, AutoScalingGroupState>();
  /** Scale-in protection, lifecycle hooks, warm pools, instance refreshes. */
  readonly features: GroupFeatures;
  private readonly lifecycle: InstanceLifecycle;

  constructor(private readonly deps: FleetDependencies) {
    this.lifecycle = new InstanceLifecycle(deps, (instance) => this.groupFor(instance));
    this.features = new GroupFeatures({ ec2: deps.ec2, ids: deps.ids, lifecycle: this.lifecycle });
  }

  step(now: number): void {
    const deps = {
      ec2: this.deps.ec2,
      targetGroup: this.deps.targetGroup,
      lifecycle: this.lifecycle,
      features: this.features,
    };
    for (const group of this.groups.values()) reconcile(deps, group, now);
  }

  seedInService(group: AutoScalingGroupState, now: number): Instance {
    return this.lifecycle.seedInService(group, now);
  }

  /** The warm pool a group is described with starts full and prepared. */
  seedWarmPool(group: AutoScalingGroupState, now: number): void {
    if (!group.warmPool) return;
    for (let i = 0; i < targetPoolSize(group.warmPool, group); i++) this.lifecycle.seedWarm(group, now);
  }

  groupOf(instanceId: string): AutoScalingGroupState | undefined {
    const instance = this.deps.registry.get(instanceId);
    return instance ? this.groups.get(instance.groupName) : undefined;
  }

  /**
   * UpdateAutoScalingGroup (docs/aws-facts/auto-scaling-groups.md#updateautoscalinggroup-and-setdesiredcapacity):
   * a desired capacity given must lie within the new bounds; without one, raising MinSize above it raises
   * it to MinSize and lowering MaxSize below it lowers it to MaxSize.
   */
  update(group: AutoScalingGroupState, change: GroupUpdate): void {
    const min = change.min ?? group.min;
    const max = change.max ?? group.max;
    // UNCONFIRMED: exact text when MinSize > MaxSize.
    if (min > max) throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
    const desired = change.desired ?? Math.min(max, Math.max(min, group.desired));
    if (desired < min || desired > max) {
      throw validation(
        `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
      );
    }
    Object.assign(group, { min, max, desired });
    if (change.launchTemplate) {
      group.launchTemplate = change.launchTemplate;
      // A launch template replaces the launch configuration or mixed instances policy the group used.
      group.launchConfigurationName = undefined;
      group.mixedInstancesPolicy = undefined;
    }
    if (change.mixedInstancesPolicy) {
      // docs/aws-facts/auto-scaling-mixed-instances.md#update: the policy replaces a launch template or
      // configuration; existing instances keep what they were launched with.
      group.mixedInstancesPolicy = change.mixedInstancesPolicy;
      group.launchTemplate = change.mixedInstancesPolicy.launchTemplate;
      group.launchConfigurationName = undefined;
    }
    // docs/aws-facts/auto-scaling-scale-in-protection.md: applies to instances launched from now on.
    if (change.newInstancesProtectedFromScaleIn !== undefined)
      group.newInstancesProtectedFromScaleIn = change.newInstancesProtectedFromScaleIn;
    if (change.healthCheckType !== undefined) group.healthCheckType = change.healthCheckType;
    if (change.healthCheckGracePeriodSeconds !== undefined)
      group.healthCheckGracePeriodSeconds = change.healthCheckGracePeriodSeconds;
  }

  /**
   * SetDesiredCapacity (docs/aws-facts/auto-scaling-groups.md#updateautoscalinggroup-and-setdesiredcapacity):
   * within [MinSize, MaxSize], with the texts AWS answers otherwise.
   */
  setDesiredCapacity(group: AutoScalingGroupState, desired: number): void {
    if (desired > group.max) {
      throw validation(
        `New SetDesiredCapacity value ${desired} is above max value ${group.max} for the AutoScalingGroup.`,
      );
    }
    if (desired < group.min) {
      throw validation(
        `New SetDesiredCapacity value ${desired} is below min value ${group.min} for the AutoScalingGroup.`,
      );
    }
    group.desired = desired;
  }

  /**
   * EnterStandby (docs/aws-facts/auto-scaling-standby.md#enterstandby): only InService instances; with the
   * decrement, only while the desired capacity stays at or above MinSize. Without it the group launches
   * replacements on its own.
   */
  enterStandby(
    group: AutoScalingGroupState,
    instanceIds: string[],
    decrement: boolean,
    now: number,
  ): ActivityRecord[] {
    const instances = this.members(group, instanceIds);
    for (const instance of instances) {
      // Text UNCONFIRMED.
      if (instance.lifecycleState !== 'InService')
        throw validation(`The instance ${instance.id} is not in InService.`);
    }
    if (decrement && group.desired - instances.length < group.min) {
      // Text as observed, plural form UNCONFIRMED.
      throw validation(
        `${this.sizes(group)} To place into standby ${count(instances)}, please update the AutoScalingGroup sizes appropriately.`,
      );
    }
    if (decrement) group.desired -= instances.length;
    return instances.map((instance) => this.lifecycle.enterStandby(instance, now));
  }

  /**
   * ExitStandby (docs/aws-facts/auto-scaling-standby.md#exitstandby): only Standby instances; the desired
   * capacity grows by their number and must stay within MaxSize. UNCONFIRMED, conservative: refused while
   * Launch is suspended. The error texts are UNCONFIRMED.
   */
  exitStandby(group: AutoScalingGroupState, instanceIds: string[], now: number): ActivityRecord[] {
    const instances = this.members(group, instanceIds);
    for (const instance of instances) {
      if (instance.lifecycleState !== 'Standby')
        throw validation(`The instance ${instance.id} is not in Standby.`);
    }
    if (instances.length > 0 && group.isSuspended('Launch')) {
      throw validation(
        `AutoScalingGroup ${group.name} has the Launch process suspended. Resume it to move instances out of standby.`,
      );
    }
    if (group.desired + instances.length > group.max) {
      throw validation(
        `${this.sizes(group)} To move ${count(instances)} out of standby, please update the AutoScalingGroup sizes appropriately.`,
      );
    }
    group.desired += instances.length;
    return instances.map((instance) => this.lifecycle.exitStandby(group, instance, now));
  }

  /**
   * TerminateInstanceInAutoScalingGroup (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_TerminateInstanceInAutoScalingGroup.html):
   * with the decrement the group shrinks by one, which must leave it at or above MinSize (text as
   * observed); without it the group launches a replacement.
   */
  terminate(instanceId: string, decrement: boolean, now: number): ActivityRecord {
    const group = this.groupOf(instanceId);
    const instance = group?.instances.get(instanceId);
    const notFound = (): Error =>
      validation(`Instance Id not found - No managed instance found for instance ID: ${instanceId}`);
    if (!group || !instance) throw notFound();
    if (instance.lifecycleState.startsWith('Terminat')) {
      // UNCONFIRMED: terminating an instance that is already terminating is a no-op answered with the
      // activity already under way.
      const previous = [...group.activities].reverse().find((a) => a.description.endsWith(instance.id));
      if (previous) return previous;
      throw notFound();
    }
    // UNCONFIRMED: terminating a Standby instance is allowed and leaves the desired capacity alone, since
    // Standby instances do not count towards it (docs/aws-facts/auto-scaling-standby.md#standby-and-capacity).
    // Scale-in protection does not protect from this call (docs/aws-facts/auto-scaling-scale-in-protection.md).
    if (decrement && countsTowardsCapacity(instance)) {
      if (group.desired - 1 < group.min) {
        throw validation(
          `Currently, desiredSize equals minSize (${group.min}). Terminating instance without replacement will violate group's min size constraint. ` +
            `Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
        );
      }
      group.desired -= 1;
    }
    return this.lifecycle.startTermination(instance, now, USER_TERMINATION);
  }

  /**
   * docs/aws-facts/traffic-sources.md#attach-and-detach: attaching is additive (an attached source is left
   * as it is) and registers the group's running instances. UNCONFIRMED: re-attaching while Removing is
   * modelled as a fresh attachment; a suspended AddToLoadBalancer does not stop the registration (the
   * suspension is documented for launches).
   */
  attachTrafficSources(
    group: AutoScalingGroupState,
    identifiers: string[],
    now: number,
    attachedWith: 'LoadBalancerTargetGroups' | 'TrafficSources' = 'TrafficSources',
  ): void {
    for (const identifier of identifiers) {
      const existing = group.trafficSources.get(identifier);
      // UNCONFIRMED: attaching through one family what the other attached leaves it as it is.
      if (existing && existing.state !== 'Removing' && existing.state !== 'Removed') continue;
      group.trafficSources.set(identifier, {
        identifier,
        type: 'elbv2',
        state: 'Adding',
        since: now,
        attachedWith,
      });
      this.lifecycle.registerAll(group, identifier, now);
    }
  }

  /**
   * docs/aws-facts/traffic-sources.md#attach-and-detach: the instances keep running, deregistered and
   * draining. UNCONFIRMED: AWS does not document detaching a source that is not attached; modelled as an
   * error (the conservative choice: callers must check before detaching).
   */
  detachTrafficSources(
    group: AutoScalingGroupState,
    identifiers: string[],
    now: number,
    family: 'LoadBalancerTargetGroups' | 'TrafficSources' = 'TrafficSources',
  ): void {
    const notAttached = identifiers.filter((identifier) => {
      const source = group.trafficSources.get(identifier);
      const state = source?.state;
      // docs/aws-facts/traffic-sources.md#two-apis-one-group: DetachLoadBalancerTargetGroups detaches only
      // what AttachLoadBalancerTargetGroups (or the group's creation) attached; DetachTrafficSources any.
      const otherFamily = family === 'LoadBalancerTargetGroups' && source?.attachedWith === 'TrafficSources';
      return state === undefined || state === 'Removing' || state === 'Removed' || otherFamily;
    });
    if (notAttached.length > 0) {
      throw validation(
        `Trying to remove Target Groups that are not part of the group {${notAttached.join(', ')}}`,
      );
    }
    for (const identifier of identifiers) {
      const source = group.trafficSources.get(identifier);
      if (!source) continue;
      source.state = 'Removing';
      source.since = now;
      this.lifecycle.deregisterAll(group, identifier, now);
    }
  }

  private members(group: AutoScalingGroupState, ids: string[]): Instance[] {
    return ids.map((id) => {
      const instance = group.instances.get(id);
      // UNCONFIRMED: exact text for an instance of another group.
      if (!instance) throw validation(`The instance ${id} is not part of Auto Scaling group ${group.name}.`);
      return instance;
    });
  }

  private sizes(group: AutoScalingGroupState): string {
    return `AutoScalingGroup ${group.name} has min-size=${group.min}, max-size=${group.max}, and desired-size=${group.desired}.`;
  }

  private groupFor(instance: Instance): AutoScalingGroupState {
    const group = this.groups.get(instance.groupName);
    if (!group) throw new Error(`Instance ${instance.id} belongs to no group`);
    return group;
  }
}

function count(instances: Instance[]): string {
  return `${instances.length} instance${instances.length === 1 ? '' : 's'}`;
}
