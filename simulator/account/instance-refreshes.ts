// Over 250 lines: the three instance refresh operations and the rolling replacement they drive, with their documented statuses and preferences.
/**
 * Instance refreshes (docs/aws-facts/auto-scaling-instance-refreshes.md): StartInstanceRefresh,
 * DescribeInstanceRefreshes, CancelInstanceRefresh, and a refresh under way replacing the group's instances
 * a few at a time (a rolling replacement that keeps MinHealthyPercentage of the desired capacity healthy).
 * Refreshes an environment describes as history (`instanceRefreshes`) are listed as they are and never run.
 */
import type { InstanceRefresh, InstanceRefreshStatus } from '@aws-sdk/client-auto-scaling';
import type { AutoScalingGroupState } from './auto-scaling-group';
import type { InstanceRefreshDescription } from './environment';
import { serviceError } from './errors';
import { countsTowardsCapacity, type Instance } from './instances';

export interface RefreshPreferences {
  minHealthyPercentage: number;
  maxHealthyPercentage: number;
  instanceWarmup: number;
  skipMatching: boolean;
  scaleInProtectedInstances: 'Refresh' | 'Ignore' | 'Wait';
  standbyInstances: 'Terminate' | 'Ignore' | 'Wait';
}

export interface InstanceRefreshRecord {
  readonly id: string;
  status: string;
  statusReason?: string;
  readonly startTime: number;
  endTime?: number;
  /** Undefined for a refresh described as history (never run). */
  readonly preferences?: RefreshPreferences;
  /** The instances still to replace. */
  readonly toReplace: Set<string>;
  readonly total: number;
  /** When the refresh started waiting for protected instances to lose their protection. */
  waitingSince?: number;
  percentageComplete?: number;
}

/** DescribeInstanceRefreshes / CancelInstanceRefresh: the statuses of a refresh that is still active. */
export const ACTIVE = new Set(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking']);
/** CancelInstanceRefresh API reference: "Cancels an instance refresh or rollback that is in progress." */
export const CANCELLABLE = new Set(['Pending', 'InProgress', 'Baking', 'RollbackInProgress']);
/** UNCONFIRMED: how long a described refresh, which runs nothing, stays Cancelling. */
const CANCELLING_SECONDS = 5;
/** StartInstanceRefresh, ScaleInProtectedInstances `Wait`: "waits one hour for you to remove scale-in protection. Otherwise, the instance refresh will fail." */
const PROTECTED_WAIT_SECONDS = 3600;

export const REFRESH_CAUSE = 'an instance was taken out of service in response to an instance refresh';

/** StartInstanceRefresh's preferences with their documented defaults and ranges (texts UNCONFIRMED). */
export function preferencesOf(
  group: AutoScalingGroupState,
  given: InstanceRefreshDescription & {
    scaleInProtectedInstances?: string;
    standbyInstances?: string;
  },
): RefreshPreferences {
  const validation = (message: string): Error => serviceError('autoscaling', 'ValidationError', message);
  const preferences: RefreshPreferences = {
    minHealthyPercentage: given.minHealthyPercentage ?? 90,
    maxHealthyPercentage: given.maxHealthyPercentage ?? 100,
    // RefreshPreferences, InstanceWarmup: the group's default instance warmup, else its grace period.
    instanceWarmup: given.instanceWarmupSeconds ?? group.healthCheckGracePeriodSeconds,
    skipMatching: given.skipMatching ?? false,
    scaleInProtectedInstances: (given.scaleInProtectedInstances ??
      'Wait') as RefreshPreferences['scaleInProtectedInstances'],
    standbyInstances: (given.standbyInstances ?? 'Wait') as RefreshPreferences['standbyInstances'],
  };
  const { minHealthyPercentage: min, maxHealthyPercentage: max } = preferences;
  if (min < 0 || min > 100) throw validation('MinHealthyPercentage must be between 0 and 100.');
  if (max < 100 || max > 200) throw validation('MaxHealthyPercentage must be between 100 and 200.');
  if (max - min > 100)
    throw validation(
      'The difference between MaxHealthyPercentage and MinHealthyPercentage cannot exceed 100.',
    );
  if (preferences.instanceWarmup < 0) throw validation('InstanceWarmup must be at least 0.');
  if (!['Refresh', 'Ignore', 'Wait'].includes(preferences.scaleInProtectedInstances))
    throw validation(`Invalid ScaleInProtectedInstances ${preferences.scaleInProtectedInstances}.`);
  if (!['Terminate', 'Ignore', 'Wait'].includes(preferences.standbyInstances))
    throw validation(`Invalid StandbyInstances ${preferences.standbyInstances}.`);
  if (max > 100) {
    // Launch-before-terminate replacement is not modelled: refused loudly rather than run differently.
    throw new Error('The simulated account runs instance refreshes with MaxHealthyPercentage 100 only.');
  }
  return preferences;
}

/**
 * StartInstanceRefresh: InstanceRefreshInProgress while another is active. The instances to replace are
 * those counting towards capacity, less (SkipMatching) those already on the desired configuration.
 */
export function startRefresh(
  group: AutoScalingGroupState,
  id: string,
  preferences: RefreshPreferences,
  now: number,
  matchesDesired: (instance: Instance) => boolean,
): InstanceRefreshRecord {
  if (group.instanceRefreshes.some((refresh) => ACTIVE.has(refresh.status))) {
    // Text as AWS answers it, UNCONFIRMED.
    throw serviceError(
      'autoscaling',
      'InstanceRefreshInProgress',
      'An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.',
    );
  }
  const toReplace = new Set(
    [...group.instances.values()]
      .filter(countsTowardsCapacity)
      .filter((instance) => !(preferences.skipMatching && matchesDesired(instance)))
      .map((instance) => instance.id),
  );
  const refresh: InstanceRefreshRecord = {
    id,
    status: 'Pending',
    startTime: now,
    preferences,
    toReplace,
    total: toReplace.size,
  };
  group.instanceRefreshes.unshift(refresh);
  return refresh;
}

/** CancelInstanceRefresh: ActiveInstanceRefreshNotFound when none is in progress. */
export function cancelRefresh(
  group: AutoScalingGroupState | undefined,
  name: string | undefined,
  now: number,
): string {
  const refresh = group?.instanceRefreshes.find((candidate) => CANCELLABLE.has(candidate.status));
  if (!refresh) {
    // Text UNCONFIRMED.
    throw serviceError(
      'autoscaling',
      'ActiveInstanceRefreshNotFoundFault',
      `No in progress or pending Instance Refresh found for Auto Scaling group ${name}`,
    );
  }
  refresh.status = 'Cancelling';
  refresh.endTime = now;
  return refresh.id;
}

/** One second of the group's active refresh; `terminate` takes an instance out of service for it. */
export function stepRefresh(
  group: AutoScalingGroupState,
  now: number,
  terminate: (instance: Instance) => void,
): void {
  const refresh = group.instanceRefreshes.find((candidate) => ACTIVE.has(candidate.status));
  if (!refresh) return;
  const preferences = refresh.preferences;
  if (!preferences) {
    // Described as history: a cancelled one ends after a short Cancelling.
    if (refresh.status === 'Cancelling' && now >= (refresh.endTime ?? now) + CANCELLING_SECONDS * 1000)
      refresh.status = 'Cancelled';
    return;
  }
  const counted = [...group.instances.values()].filter(countsTowardsCapacity);
  if (refresh.status === 'Cancelling') {
    // WaitForTransitioningInstances (default true): launches under way finish first.
    if (!counted.some((instance) => instance.lifecycleState !== 'InService')) {
      refresh.status = 'Cancelled';
      refresh.endTime = now;
    }
    return;
  }
  if (refresh.status === 'Pending') {
    refresh.status = 'InProgress';
    return;
  }
  if (refresh.status !== 'InProgress') return;
  // docs/aws-facts/auto-scaling-groups.md#suspended-processes: with Launch, Terminate or InstanceRefresh
  // suspended, an instance refresh does not replace instances.
  if (['Launch', 'Terminate', 'InstanceRefresh'].some((process) => group.isSuspended(process as 'Launch')))
    return;
  for (const id of refresh.toReplace) {
    const instance = group.instances.get(id);
    if (!instance || !countsTowardsCapacity(instance)) refresh.toReplace.delete(id);
    else if (instance.protectedFromScaleIn && preferences.scaleInProtectedInstances === 'Ignore')
      refresh.toReplace.delete(id);
  }
  const old = counted.filter((instance) => refresh.toReplace.has(instance.id));
  const warmedUp = (instance: Instance): boolean =>
    instance.lifecycleState === 'InService' &&
    instance.healthStatus === 'Healthy' &&
    now >= (instance.inServiceSince ?? now) + preferences.instanceWarmup * 1000;
  const fresh = counted.filter((instance) => !refresh.toReplace.has(instance.id));
  const ready = fresh.filter(warmedUp);
  refresh.status = 'InProgress';
  const done = refresh.total - old.length - (fresh.length - ready.length);
  refresh.percentageComplete = percentage(done, refresh.total);
  if (old.length === 0 && ready.length === fresh.length && counted.length >= group.desired) {
    refresh.status = 'Successful';
    refresh.endTime = now;
    return;
  }
  const replaceable = old.filter(
    (instance) =>
      instance.lifecycleState === 'InService' &&
      !(instance.protectedFromScaleIn && preferences.scaleInProtectedInstances === 'Wait'),
  );
  if (old.length > 0 && replaceable.length === 0) {
    refresh.waitingSince ??= now;
    if (now >= refresh.waitingSince + PROTECTED_WAIT_SECONDS * 1000) {
      refresh.status = 'Failed';
      refresh.statusReason =
        'Instance refresh failed: instances protected from scale in were not released in time.';
      refresh.endTime = now;
    }
    return;
  }
  // Rolling replacement (StartInstanceRefresh, MinHealthyPercentage): terminate as many old instances as
  // keep that share of the desired capacity healthy, at least one when nothing is under way.
  const healthy =
    old.filter((instance) => instance.lifecycleState === 'InService' && instance.healthStatus === 'Healthy')
      .length + ready.length;
  const minHealthy = Math.ceil((group.desired * preferences.minHealthyPercentage) / 100);
  const underWay = fresh.length - ready.length + (group.desired - counted.length);
  let allowed = healthy - minHealthy;
  if (allowed <= 0 && underWay === 0) allowed = 1;
  for (const instance of replaceable
    .sort((a, b) => a.launchedAt - b.launchedAt)
    .slice(0, Math.max(0, allowed))) {
    refresh.toReplace.delete(instance.id);
    terminate(instance);
  }
}

function percentage(done: number, total: number): number {
  return total === 0 ? 100 : Math.max(0, Math.min(100, Math.floor((done * 100) / total)));
}

/** DescribeInstanceRefreshes' entry. */
export function describeRefresh(groupName: string, refresh: InstanceRefreshRecord): InstanceRefresh {
  return {
    InstanceRefreshId: refresh.id,
    AutoScalingGroupName: groupName,
    Status: refresh.status as InstanceRefreshStatus,
    StatusReason: refresh.statusReason,
    ...(refresh.preferences
      ? {
          StartTime: new Date(refresh.startTime),
          EndTime: refresh.endTime === undefined ? undefined : new Date(refresh.endTime),
          PercentageComplete: refresh.status === 'Successful' ? 100 : (refresh.percentageComplete ?? 0),
          InstancesToUpdate: refresh.toReplace.size,
          Preferences: {
            MinHealthyPercentage: refresh.preferences.minHealthyPercentage,
            MaxHealthyPercentage: refresh.preferences.maxHealthyPercentage,
            InstanceWarmup: refresh.preferences.instanceWarmup,
            SkipMatching: refresh.preferences.skipMatching,
            ScaleInProtectedInstances: refresh.preferences.scaleInProtectedInstances,
            StandbyInstances: refresh.preferences.standbyInstances,
          },
        }
      : {}),
  };
}

/** The refreshes a group description lists as history. */
export function describedRefreshes(
  described: { id: string; status: string }[] | undefined,
  now: number,
): InstanceRefreshRecord[] {
  return (described ?? []).map((refresh) => ({
    id: refresh.id,
    status: refresh.status,
    startTime: now,
    toReplace: new Set(),
    total: 0,
  }));
}
