/**
 * What Auto Scaling does on its own, once a simulated second, between API calls: replaces instances that
 * fail ELB health checks, launches or terminates to reach the desired capacity, and moves attached traffic
 * sources through their states.
 */
import { TIMINGS, type AutoScalingGroupState } from './auto-scaling-group';
import type { InstanceLifecycle } from './auto-scaling-instances';
import type { Ec2 } from './ec2';
import { countsTowardsCapacity, type Instance } from './instances';
import type { TargetGroup } from './target-groups';

export interface ReconcileDependencies {
  ec2: Ec2;
  targetGroup: (arn: string) => TargetGroup | undefined;
  lifecycle: InstanceLifecycle;
}

export function reconcile(deps: ReconcileDependencies, group: AutoScalingGroupState, now: number): void {
  deps.lifecycle.advance(group, now);
  replaceUnhealthy(deps, group, now);
  reconcileCapacity(deps, group, now);
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
  if (group.isSuspended('ReplaceUnhealthy')) return;
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
    for (let i = capacity; i < group.desired; i++) if (!deps.lifecycle.launch(group, now)) break;
    return;
  }
  if (capacity > group.desired && !group.isSuspended('Terminate')) {
    // docs/aws-facts/auto-scaling-standby.md#standby-and-capacity: scale-in never picks Standby instances
    // (they do not count towards capacity).
    const cause =
      'an instance was taken out of service in response to a difference between desired and actual capacity';
    for (const victim of scaleInVictims(deps.ec2, group, capacity - group.desired)) {
      deps.lifecycle.startTermination(victim, now, cause);
    }
  }
}

/**
 * Default termination policy, simplified: instances not on the group's current launch template version
 * first, then the oldest. UNCONFIRMED: AWS first balances Availability Zones and finally picks the instance
 * closest to the next billing hour.
 */
function scaleInVictims(ec2: Ec2, group: AutoScalingGroupState, count: number): Instance[] {
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
  return [...group.instances.values()]
    .filter(countsTowardsCapacity)
    .sort((a, b) => outdated(a) - outdated(b) || a.launchedAt - b.launchedAt)
    .slice(0, count);
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
