/**
 * The requests that change a group's scale-in protection, lifecycle hooks, warm pool and instance
 * refreshes, each with the rule AWS documents for it, and what Auto Scaling does on its own for the warm
 * pool and a refresh under way. The API layer (auto-scaling-feature-routes.ts) checks the request's shape.
 */
import type { AutoScalingGroupState } from './auto-scaling-group';
import type { InstanceLifecycle } from './auto-scaling-instances';
import {
  HOOK_LIMITS,
  checkedHook,
  findAction,
  type LifecycleActionResult,
  type LifecycleHook,
} from './auto-scaling-lifecycle-hooks';
import { checkedPool, isWarmAndReady, targetPoolSize, type WarmPoolState } from './auto-scaling-warm-pools';
import type { Ec2 } from './ec2';
import { serviceError } from './errors';
import {
  REFRESH_CAUSE,
  preferencesOf,
  startRefresh,
  stepRefresh,
  type RefreshPreferences,
} from './instance-refreshes';
import type { Instance } from './instances';
import type { Random } from './random';

const validation = (message: string): Error => serviceError('autoscaling', 'ValidationError', message);

export interface FeatureDependencies {
  ec2: Ec2;
  ids: Random;
  lifecycle: InstanceLifecycle;
}

export class GroupFeatures {
  constructor(private readonly deps: FeatureDependencies) {}

  /**
   * SetInstanceProtection (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_SetInstanceProtection.html):
   * instances of the group, not in its warm pool; texts UNCONFIRMED.
   */
  setInstanceProtection(group: AutoScalingGroupState, ids: string[], protectedFromScaleIn: boolean): void {
    const instances = ids.map((id) => {
      if (group.warmPool?.instances.has(id))
        throw validation(`The instance ${id} is in a warm pool: instance protection cannot be set on it.`);
      const instance = group.instances.get(id);
      if (!instance || instance.lifecycleState === 'Terminated')
        throw validation(`The instance ${id} is not part of Auto Scaling group ${group.name}.`);
      return instance;
    });
    for (const instance of instances) instance.protectedFromScaleIn = protectedFromScaleIn;
  }

  /**
   * PutLifecycleHook: creates the hook (LifecycleTransition required then) or updates the parts given
   * (UNCONFIRMED: parts not given are kept); at most 50 per group (LimitExceeded).
   */
  putLifecycleHook(group: AutoScalingGroupState, change: Partial<LifecycleHook> & { name: string }): void {
    const existing = group.lifecycleHooks.get(change.name);
    if (!existing && change.transition === undefined)
      throw validation('LifecycleTransition must be specified when creating a lifecycle hook.');
    if (!existing && group.lifecycleHooks.size >= HOOK_LIMITS.perGroup) {
      throw serviceError(
        'autoscaling',
        'LimitExceededFault',
        `Auto Scaling group ${group.name} already has the maximum of ${HOOK_LIMITS.perGroup} lifecycle hooks.`,
      );
    }
    const defined = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
    const hook = checkedHook({
      heartbeatTimeout: HOOK_LIMITS.defaultHeartbeat,
      defaultResult: 'ABANDON',
      ...existing,
      ...defined,
    } as LifecycleHook);
    group.lifecycleHooks.set(hook.name, hook);
  }

  /**
   * DeleteLifecycleHook (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteLifecycleHook.html):
   * "If there are any outstanding lifecycle actions, they are completed first (ABANDON for launching
   * instances, CONTINUE for terminating instances)."
   */
  deleteLifecycleHook(group: AutoScalingGroupState, name: string, now: number): void {
    if (!group.lifecycleHooks.has(name))
      throw validation(`No lifecycle hook found with name ${name} for group ${group.name}.`);
    for (const instance of group.instances.values()) {
      if (!instance.lifecycleActions?.has(name)) continue;
      const result = instance.lifecycleState === 'Pending:Wait' ? 'ABANDON' : 'CONTINUE';
      this.deps.lifecycle.completeAction(instance, name, result, now);
    }
    group.lifecycleHooks.delete(name);
  }

  /** CompleteLifecycleAction: the instance's action for the hook, by token or instance id. */
  completeLifecycleAction(
    group: AutoScalingGroupState,
    hookName: string,
    result: LifecycleActionResult,
    target: { token?: string; instanceId?: string },
    now: number,
  ): void {
    this.hook(group, hookName);
    const { instance } = findAction(group.instances.values(), hookName, target.token, target.instanceId);
    this.deps.lifecycle.completeAction(instance, hookName, result, now);
  }

  /**
   * RecordLifecycleActionHeartbeat: "extends the timeout by the length of time defined using the
   * PutLifecycleHook API call", never past the global timeout (LifecycleHook API reference).
   */
  recordHeartbeat(
    group: AutoScalingGroupState,
    hookName: string,
    target: { token?: string; instanceId?: string },
    now: number,
  ): void {
    const hook = this.hook(group, hookName);
    const { action } = findAction(group.instances.values(), hookName, target.token, target.instanceId);
    action.timeoutAt = Math.min(now + hook.heartbeatTimeout * 1000, action.globalTimeoutAt);
  }

  /**
   * PutWarmPool (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutWarmPool.html): creates or
   * updates the pool. Warm pools limitations: not for a group with a mixed instances policy (text UNCONFIRMED).
   */
  putWarmPool(
    group: AutoScalingGroupState,
    change: Partial<Omit<WarmPoolState, 'instances' | 'status'>>,
  ): void {
    if (group.mixedInstancesPolicy) {
      throw validation(
        `You can't add a warm pool to Auto Scaling group ${group.name}: it has a mixed instances policy.`,
      );
    }
    if (group.warmPool?.status === 'PendingDelete')
      throw validation(`The warm pool of ${group.name} is being deleted.`);
    const defined = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
    group.warmPool = checkedPool({
      minSize: 0,
      poolState: 'Stopped',
      reuseOnScaleIn: false,
      ...group.warmPool,
      ...defined,
      instances: group.warmPool?.instances ?? new Map(),
    } as WarmPoolState);
  }

  /**
   * DeleteWarmPool: the pool is PendingDelete while its instances terminate, then gone (ForceDelete does not
   * wait for lifecycle actions, which the warm pool model does not run). No pool: UNCONFIRMED error text.
   */
  deleteWarmPool(group: AutoScalingGroupState, now: number): void {
    const pool = group.warmPool;
    if (!pool) throw validation(`No warm pool found for Auto Scaling group ${group.name}.`);
    pool.status = 'PendingDelete';
    for (const instance of pool.instances.values())
      if (!instance.lifecycleState.startsWith('Warmed:Terminat'))
        this.deps.lifecycle.terminateWarm(group, instance, now);
  }

  startInstanceRefresh(group: AutoScalingGroupState, preferences: RefreshPreferences, now: number): string {
    const id = this.deps.ids.uuid();
    startRefresh(group, id, preferences, now, (instance) => this.onDesiredVersion(group, instance));
    return id;
  }

  /** One second of what Auto Scaling does on its own for the group's warm pool and refresh. */
  step(group: AutoScalingGroupState, now: number): void {
    const scheduled = group.scheduledRefresh;
    if (scheduled && now >= scheduled.at) {
      group.scheduledRefresh = undefined;
      this.startInstanceRefresh(group, preferencesOf(group, scheduled.preferences), now);
    }
    stepRefresh(group, now, (instance) => this.deps.lifecycle.startTermination(instance, now, REFRESH_CAUSE));
    this.maintainWarmPool(group, now);
  }

  /** The next warm instance scale-out can take, if any (oldest first). */
  warmInstance(group: AutoScalingGroupState): Instance | undefined {
    if (group.warmPool?.status === 'PendingDelete') return undefined;
    return [...(group.warmPool?.instances.values() ?? [])].find(isWarmAndReady);
  }

  /**
   * PutWarmPool: Auto Scaling launches into the pool to keep its size (targetPoolSize) and, when the size
   * falls (the group grew or its maximum shrank), terminates the surplus. A pool being deleted disappears
   * once its instances are gone.
   */
  private maintainWarmPool(group: AutoScalingGroupState, now: number): void {
    const pool = group.warmPool;
    if (!pool) return;
    const live = [...pool.instances.values()].filter(
      (instance) => !instance.lifecycleState.startsWith('Warmed:Terminat'),
    );
    if (pool.status === 'PendingDelete') {
      if (pool.instances.size === 0) group.warmPool = undefined;
      return;
    }
    const target = targetPoolSize(pool, group);
    if (live.length < target) {
      if (group.isSuspended('Launch') || now < group.nextLaunchAttemptAt) return;
      for (let i = live.length; i < target; i++) if (!this.deps.lifecycle.launch(group, now, true)) break;
    } else if (live.length > target && !group.isSuspended('Terminate')) {
      for (const instance of live.slice(0, live.length - target))
        this.deps.lifecycle.terminateWarm(group, instance, now);
    }
  }

  private hook(group: AutoScalingGroupState, name: string): LifecycleHook {
    const hook = group.lifecycleHooks.get(name);
    // Text UNCONFIRMED.
    if (!hook) throw validation(`No Lifecycle Hook found with name ${name} for group ${group.name}.`);
    return hook;
  }

  /** SkipMatching: already on the launch template version the group resolves to now. */
  private onDesiredVersion(group: AutoScalingGroupState, instance: Instance): boolean {
    try {
      const resolved = this.deps.ec2.resolveLaunch(group.launchTemplate.id, group.launchTemplate.version);
      return (
        instance.launchTemplate.id === resolved.template.id &&
        instance.launchTemplate.version === resolved.version
      );
    } catch {
      return false;
    }
  }
}
