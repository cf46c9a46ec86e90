/**
 * Warm pools (docs/aws-facts/auto-scaling-warm-pools.md): a pool of pre-initialized instances beside a
 * group, its size, its configuration as the API describes it. Filling it and drawing on it happen in
 * auto-scaling-reconcile.ts.
 */
import type { WarmPoolConfiguration } from '@aws-sdk/client-auto-scaling';
import type { GroupDescription } from './environment';
import { serviceError } from './errors';
import type { Instance } from './instances';

export type PoolState = 'Stopped' | 'Running' | 'Hibernated';

export interface WarmPoolState {
  minSize: number;
  /** Undefined: the group's MaxSize. */
  maxGroupPreparedCapacity?: number;
  poolState: PoolState;
  reuseOnScaleIn: boolean;
  /** Set by DeleteWarmPool until its instances are gone. */
  status?: 'PendingDelete';
  /** In launch order. */
  readonly instances: Map<string, Instance>;
}

const validation = (message: string): Error => serviceError('autoscaling', 'ValidationError', message);

export function warmPoolOf(description: GroupDescription): WarmPoolState | undefined {
  const pool = description.warmPool;
  if (!pool) return undefined;
  return checkedPool({
    minSize: pool.minSize ?? 0,
    maxGroupPreparedCapacity: pool.maxGroupPreparedCapacity,
    poolState: pool.poolState ?? 'Stopped',
    reuseOnScaleIn: pool.reuseOnScaleIn ?? false,
    instances: new Map(),
  });
}

/** PutWarmPool API reference: MinSize ≥ 0, MaxGroupPreparedCapacity ≥ -1, PoolState values. Texts UNCONFIRMED. */
export function checkedPool(pool: WarmPoolState): WarmPoolState {
  if (!Number.isInteger(pool.minSize) || pool.minSize < 0) throw validation('MinSize must be at least 0.');
  if (pool.maxGroupPreparedCapacity !== undefined && pool.maxGroupPreparedCapacity < -1)
    throw validation('MaxGroupPreparedCapacity must be at least -1.');
  if (!['Stopped', 'Running', 'Hibernated'].includes(pool.poolState))
    throw validation(`Invalid PoolState ${pool.poolState}.`);
  return pool;
}

/**
 * PutWarmPool API reference: without MaxGroupPreparedCapacity the pool holds the difference between the
 * group's maximum and desired capacities, with it the difference between it and the desired capacity; never
 * fewer than MinSize ("Only when MaxGroupPreparedCapacity and MinSize are set to the same value does the
 * warm pool have an absolute size"). UNCONFIRMED: -1 read as "not set".
 */
export function targetPoolSize(pool: WarmPoolState, group: { max: number; desired: number }): number {
  const prepared =
    pool.maxGroupPreparedCapacity === undefined || pool.maxGroupPreparedCapacity < 0
      ? group.max
      : pool.maxGroupPreparedCapacity;
  return Math.max(pool.minSize, prepared - group.desired);
}

/** The state a warm instance rests in once prepared (PutWarmPool: PoolState, default Stopped). */
export function restingState(pool: WarmPoolState): Instance['lifecycleState'] {
  return `Warmed:${pool.poolState}`;
}

export function isWarmAndReady(instance: Instance): boolean {
  return ['Warmed:Stopped', 'Warmed:Running', 'Warmed:Hibernated'].includes(instance.lifecycleState);
}

export function describePool(pool: WarmPoolState): WarmPoolConfiguration {
  return {
    MinSize: pool.minSize,
    ...(pool.maxGroupPreparedCapacity === undefined
      ? {}
      : { MaxGroupPreparedCapacity: pool.maxGroupPreparedCapacity }),
    PoolState: pool.poolState,
    ...(pool.status ? { Status: pool.status } : {}),
    InstanceReusePolicy: { ReuseOnScaleIn: pool.reuseOnScaleIn },
  };
}
