/**
 * What Auto Scaling does on its own, once a simulated second, between API calls: moves instances through
 * their lifecycle (and lifecycle hooks' actions), replaces instances that fail ELB health checks, launches
 * (from the warm pool first) or terminates to reach the desired capacity, runs an instance refresh, keeps
 * the warm pool's size, and moves attached traffic sources through their states.
 */
import type { GroupFeatures } from './auto-scaling-features';
import { TIMINGS, type AutoScalingGroupState } from './auto-scaling-group';
import type { InstanceLifecycle } from './auto-scaling-instances';
import type { Ec2 } from './ec2';
import { capacityUnits, countsTowardsCapacity, type Instance } from './instances';
import type { TargetGroup } from './target-groups';

export interface ReconcileDependencies {
  ec2: Ec2;
  targetGroup: (arn: string) => TargetGroup | undefined;
  lifecycle: InstanceLifecycle;
  features: GroupFeatures;
}

export function reconcile(deps: ReconcileDependencies, group: AutoScalingGroupState, now: number): void {
  deps.lifecycle.advance(group, now);
  replaceUnhealthy(deps, group, now);
  reconcileCapacity(deps, group, now);
  deps.features.step(group, now);
  advanceTrafficSources(deps, group, now);
}

/**
 * With ELB health checks, an InService instance past its grace period that a target group of the group
 * reports unhealthy is marked Unhealthy and replaced (docs/aws-facts/auto-scaling-groups.md#health-checks).
 * Standby instances are not health-checked.
 */
function replaceUnhealthy(deps: ReconcileDependencies, group: AutoScalingGroupState, now: number): void {
  if (!group.healthCheckType.split(',').includes('ELB')) return;
  const graceMs = group.healthCheckGracePeriodSeconds * 1000;
  if (!group.isSuspended('HealthCheck')) {
    for (const source of group.activeTrafficSources()) {
      for (const id of deps.targetGroup(source.identifier)?.unhealthyIds ?? []) {
        const instance = group.instances.get(id);
        if (instance?.lifecycleState !== 'InService' || instance.healthStatus !== 'Healthy') continue;
        if (now < (instance.inServiceSince ?? now) + graceMs) continue;
        instance.healthStatus = 'Unhealthy';
        group.unhealthy.add(id);
      }
    }
  }
  // docs/aws-facts/auto-scaling-groups.md#suspended-processes: with Terminate suspended ReplaceUnhealthy is
  // inactive (HealthCheck still marks); it replaces the marked instances once Terminate resumes. Health-check
  // replacement ignores scale-in protection (docs/aws-facts/auto-scaling-scale-in-protection.md).
  if (group.isSuspended('ReplaceUnhealthy') || group.isSuspended('Terminate')) return;
  for (const id of group.unhealthy) {
    const instance = group.instances.get(id);
    if (instance?.lifecycleState === 'InService' && instance.healthStatus === 'Unhealthy') {
      const cause = 'an instance was taken out of service in response to an ELB system health check failure';
      deps.lifecycle.startTermination(instance, now, cause);
    }
    group.unhealthy.delete(id);
  }
}

function reconcileCapacity(deps: ReconcileDependencies, group: AutoScalingGroupState, now: number): void {
  const capacity = group.capacity();
  if (capacity < group.desired) {
    if (group.isSuspended('Launch') || now < group.nextLaunchAttemptAt) return;
    while (group.capacity() < group.desired) {
      const warm = deps.features.warmInstance(group);
      if (warm) deps.lifecycle.launchFromWarmPool(group, warm, now);
      else if (!deps.lifecycle.launch(group, now)) break;
    }
    return;
  }
  if (capacity > group.desired) {
    // docs/aws-facts/auto-scaling-standby.md#standby-and-capacity: scale-in never picks Standby instances
    // (they do not count towards capacity).
    const cause =
      'an instance was taken out of service in response to a difference between desired and actual capacity';
    const victims = scaleInVictims(deps.ec2, group, capacity - group.desired);
    for (const victim of victims) {
      // InstanceReusePolicy: scale-in returns the instance to the warm pool instead of terminating it.
      if (group.warmPool?.reuseOnScaleIn && group.warmPool.status === undefined)
        victim.returnToWarmPool = true;
      deps.lifecycle.startTermination(victim, now, cause);
    }
    const protectedLeft = [...group.instances.values()].some(
      (instance) => instance.lifecycleState === 'InService' && instance.protectedFromScaleIn,
    );
    if (victims.length === 0 && protectedLeft && group.protectedScaleInNoted !== group.desired) {
      // docs/aws-facts/auto-scaling-scale-in-protection.md: the desired capacity stays decremented; the group
      // cannot terminate protected instances and says so in its activity history.
      group.protectedScaleInNoted = group.desired;
      const message =
        'Could not scale to desired capacity because all remaining instances are protected from scale in.';
      deps.lifecycle.activities.note(
        group,
        message,
        'a user request changed the desired capacity',
        message,
        now,
      );
    }
  }
}

/**
 * The instances a scale-in may take (docs/aws-facts/auto-scaling-groups.md#scale-in-and-termination):
 * never those protected from scale-in once InService (docs/aws-facts/auto-scaling-scale-in-protection.md);
 * with Terminate suspended, only instances that are not InService ("Suspending the Terminate process
 * applies only to instances that are currently in the InService state").
 *
 * Default termination policy, simplified: instances not on the group's current launch template version
 * first, then the oldest. UNCONFIRMED: AWS first balances Availability Zones and finally picks the instance
 * closest to the next billing hour. With weights, only instances whose units keep the group at or above its
 * desired capacity.
 */
function scaleInVictims(ec2: Ec2, group: AutoScalingGroupState, excess: number): Instance[] {
  let current: { id: string; version: number } | undefined;
  try {
    const resolved = ec2.resolveLaunch(group.launchTemplate.id, group.launchTemplate.version);
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
  const terminateSuspended = group.isSuspended('Terminate');
  const candidates = [...group.instances.values()]
    .filter(countsTowardsCapacity)
    .filter((instance) => !(instance.lifecycleState === 'InService' && instance.protectedFromScaleIn))
    .filter((instance) => !(terminateSuspended && instance.lifecycleState === 'InService'))
    .sort((a, b) => outdated(a) - outdated(b) || a.launchedAt - b.launchedAt);
  const victims: Instance[] = [];
  let removed = 0;
  for (const candidate of candidates) {
    if (removed + capacityUnits(candidate) > excess) continue;
    victims.push(candidate);
    removed += capacityUnits(candidate);
    if (removed === excess) break;
  }
  return victims;
}

function advanceTrafficSources(deps: ReconcileDependencies, group: AutoScalingGroupState, now: number): void {
  for (const source of group.trafficSources.values()) {
    const targetGroup = deps.targetGroup(source.identifier);
    switch (source.state) {
      case 'Adding':
        if (now >= source.since + TIMINGS.attachSeconds * 1000) {
          source.state = 'Added';
          source.since = now;
        }
        break;
      case 'Added':
        // docs/aws-facts/traffic-sources.md#states: InService once at least one instance passed an ELB
        // health check.
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
