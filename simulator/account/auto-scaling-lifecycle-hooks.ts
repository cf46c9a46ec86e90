/**
 * Lifecycle hooks (docs/aws-facts/auto-scaling-lifecycle-hooks.md): the hooks of a group, the requests that
 * create, describe and delete them, and the actions an instance waits for. What a finished action does to
 * the instance is in auto-scaling-instances.ts.
 */
import type { LifecycleHook as SdkLifecycleHook } from '@aws-sdk/client-auto-scaling';
import type { GroupDescription } from './environment';
import { serviceError } from './errors';
import type { Instance, LifecycleAction } from './instances';

export type LifecycleTransition =
  'autoscaling:EC2_INSTANCE_LAUNCHING' | 'autoscaling:EC2_INSTANCE_TERMINATING';
export type LifecycleActionResult = 'CONTINUE' | 'ABANDON';

export interface LifecycleHook {
  readonly name: string;
  transition: LifecycleTransition;
  heartbeatTimeout: number;
  defaultResult: LifecycleActionResult;
  notificationMetadata?: string;
  notificationTargetArn?: string;
  roleArn?: string;
  /** How the team's automation answers each action (environment description only; absent: never). */
  answer?: { result: LifecycleActionResult; afterSeconds: number };
}

/**
 * PutLifecycleHook API reference: HeartbeatTimeout 30–7200 s, default 3600; DefaultResult CONTINUE or
 * ABANDON, default ABANDON; at most 50 hooks per group. LifecycleHook: GlobalTimeout is 172800 s (48 h) or
 * 100 × HeartbeatTimeout, whichever is smaller.
 */
export const HOOK_LIMITS = { minHeartbeat: 30, maxHeartbeat: 7200, defaultHeartbeat: 3600, perGroup: 50 };

export function globalTimeout(hook: LifecycleHook): number {
  return Math.min(172800, 100 * hook.heartbeatTimeout);
}

const validation = (message: string): Error => serviceError('autoscaling', 'ValidationError', message);

const TRANSITIONS: Record<'launching' | 'terminating', LifecycleTransition> = {
  launching: 'autoscaling:EC2_INSTANCE_LAUNCHING',
  terminating: 'autoscaling:EC2_INSTANCE_TERMINATING',
};

export function lifecycleHooksOf(description: GroupDescription): LifecycleHook[] {
  return (description.lifecycleHooks ?? []).map((hook) => {
    const answer = hook.answer === undefined || hook.answer === 'never' ? undefined : { ...hook.answer };
    return checkedHook({
      name: hook.name,
      transition: TRANSITIONS[hook.transition],
      heartbeatTimeout: hook.heartbeatTimeoutSeconds ?? HOOK_LIMITS.defaultHeartbeat,
      defaultResult: hook.defaultResult ?? 'ABANDON',
      notificationMetadata: hook.notificationMetadata,
      answer,
    });
  });
}

/** The documented constraints of one hook (PutLifecycleHook API reference); texts UNCONFIRMED. */
export function checkedHook(hook: LifecycleHook): LifecycleHook {
  if (!/^[A-Za-z0-9\-_/]{1,255}$/.test(hook.name))
    throw validation(`Invalid lifecycle hook name ${hook.name}.`);
  if (!Object.values(TRANSITIONS).includes(hook.transition))
    throw validation(`Invalid lifecycle transition ${hook.transition}.`);
  if (
    !Number.isInteger(hook.heartbeatTimeout) ||
    hook.heartbeatTimeout < HOOK_LIMITS.minHeartbeat ||
    hook.heartbeatTimeout > HOOK_LIMITS.maxHeartbeat
  ) {
    throw validation(
      `Heartbeat timeout must be between ${HOOK_LIMITS.minHeartbeat} and ${HOOK_LIMITS.maxHeartbeat} seconds.`,
    );
  }
  if (hook.defaultResult !== 'CONTINUE' && hook.defaultResult !== 'ABANDON')
    throw validation(`Invalid default result ${String(hook.defaultResult)}.`);
  return hook;
}

export function describeHook(groupName: string, hook: LifecycleHook): SdkLifecycleHook {
  return {
    LifecycleHookName: hook.name,
    AutoScalingGroupName: groupName,
    LifecycleTransition: hook.transition,
    NotificationTargetARN: hook.notificationTargetArn,
    RoleARN: hook.roleArn,
    NotificationMetadata: hook.notificationMetadata,
    HeartbeatTimeout: hook.heartbeatTimeout,
    GlobalTimeout: globalTimeout(hook),
    DefaultResult: hook.defaultResult,
  };
}

/** The actions an instance waits for on entering a wait state: one per hook of the transition. */
export function startActions(
  instance: Instance,
  hooks: LifecycleHook[],
  now: number,
  token: () => string,
): void {
  instance.lifecycleActions = new Map(
    hooks.map((hook): [string, LifecycleAction] => [
      hook.name,
      {
        hookName: hook.name,
        token: token(),
        timeoutAt: now + hook.heartbeatTimeout * 1000,
        globalTimeoutAt: now + globalTimeout(hook) * 1000,
        answer: hook.answer && {
          result: hook.answer.result,
          at: now + hook.answer.afterSeconds * 1000,
        },
      },
    ]),
  );
}

/** The result each action has reached by `now`: the team's answer, or the hook's default on a timeout. */
export function dueResults(
  instance: Instance,
  hooks: ReadonlyMap<string, LifecycleHook>,
  now: number,
): [string, LifecycleActionResult][] {
  const due: [string, LifecycleActionResult][] = [];
  for (const action of instance.lifecycleActions?.values() ?? []) {
    if (action.answer && now >= action.answer.at) due.push([action.hookName, action.answer.result]);
    else if (now >= Math.min(action.timeoutAt, action.globalTimeoutAt)) {
      // A hook deleted meanwhile has completed its actions already (DeleteLifecycleHook).
      due.push([action.hookName, hooks.get(action.hookName)?.defaultResult ?? 'ABANDON']);
    }
  }
  return due;
}

/**
 * The action a CompleteLifecycleAction or RecordLifecycleActionHeartbeat names, by token or instance id
 * (one of them is required). Texts UNCONFIRMED.
 */
export function findAction(
  instances: Iterable<Instance>,
  hookName: string,
  token: string | undefined,
  instanceId: string | undefined,
): { instance: Instance; action: LifecycleAction } {
  if (token === undefined && instanceId === undefined)
    throw validation('Either LifecycleActionToken or InstanceId must be specified.');
  for (const instance of instances) {
    if (instanceId !== undefined && instance.id !== instanceId) continue;
    const action = instance.lifecycleActions?.get(hookName);
    if (action && (token === undefined || action.token === token)) return { instance, action };
  }
  throw validation(
    instanceId !== undefined
      ? `No active Lifecycle Action found with instance ID ${instanceId}`
      : `No active Lifecycle Action found with token ${token}`,
  );
}
