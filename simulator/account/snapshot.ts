/** What a test or the CLI reads of the account at one moment: plain data, nothing that can change it. */
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AutoScalingGroupState } from './auto-scaling-group';
import type { AlarmState } from './environment';
import type { HealthStatus, LifecycleState } from './instances';
import type { TargetGroup, TargetReason, TargetState } from './target-groups';

export interface AccountSnapshot {
  now: number;
  groups: Record<
    string,
    {
      name: string;
      min: number;
      desired: number;
      max: number;
      launchTemplate: { id: string; version: string };
      instances: {
        id: string;
        lifecycleState: LifecycleState;
        healthStatus: HealthStatus;
        amiId: string;
        launchTemplateVersion: string;
        /** Only for Spot instances (a mixed instances policy's): EC2's InstanceLifecycle `spot`. */
        purchaseOption?: 'spot';
      }[];
      trafficSources: { identifier: string; state: string }[];
      suspendedProcesses: string[];
      tags: Record<string, string>;
    }
  >;
  targetGroups: Record<
    string,
    { name: string; targets: { id: string; state: TargetState; reason?: TargetReason }[] }
  >;
  /** The production listener: its default actions as DescribeListeners returns them. */
  listener: { arn: string; defaultActions: Action[] };
  alarms: { name: string; type: 'metric' | 'composite'; state: AlarmState }[];
  snsMessages: number;
  /** Events the default EventBridge bus accepted (the account's `publishedEvents` has them). */
  events: number;
}

export function snapshotOf(
  now: number,
  world: {
    groups: Map<string, AutoScalingGroupState>;
    targetGroups: Iterable<TargetGroup>;
    listener: AccountSnapshot['listener'];
    alarms: AccountSnapshot['alarms'];
    snsMessages: number;
    events: number;
  },
): AccountSnapshot {
  const groups: AccountSnapshot['groups'] = {};
  for (const group of world.groups.values()) {
    groups[group.name] = {
      name: group.name,
      min: group.min,
      desired: group.desired,
      max: group.max,
      launchTemplate: { id: group.launchTemplate.id, version: group.launchTemplate.version },
      instances: [...group.instances.values()].map((instance) => ({
        id: instance.id,
        lifecycleState: instance.lifecycleState,
        healthStatus: instance.healthStatus,
        amiId: instance.amiId,
        launchTemplateVersion: String(instance.launchTemplate.version),
        ...(instance.purchaseOption === 'spot' ? { purchaseOption: 'spot' as const } : {}),
      })),
      trafficSources: [...group.trafficSources.values()].map((source) => ({
        identifier: source.identifier,
        state: source.state,
      })),
      suspendedProcesses: [...group.suspended.keys()],
      tags: Object.fromEntries([...group.tags].map(([key, tag]) => [key, tag.value])),
    };
  }
  const targetGroups: AccountSnapshot['targetGroups'] = {};
  for (const targetGroup of world.targetGroups) {
    targetGroups[targetGroup.arn] = {
      name: targetGroup.name,
      targets: [...targetGroup.targets.values()].map((target) =>
        target.reason
          ? { id: target.id, state: target.state, reason: target.reason }
          : { id: target.id, state: target.state },
      ),
    };
  }
  return {
    now,
    groups,
    targetGroups,
    listener: world.listener,
    alarms: world.alarms,
    snsMessages: world.snsMessages,
    events: world.events,
  };
}
