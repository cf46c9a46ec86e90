/**
 * The Auto Scaling API for scale-in protection, lifecycle hooks, warm pools and instance refreshes: each
 * route checks the request as the API reference documents it (required parameters, limits) and calls the
 * one GroupFeatures method (auto-scaling-features.ts) that holds the rule.
 */
import {
  CancelInstanceRefreshCommand,
  CompleteLifecycleActionCommand,
  DeleteLifecycleHookCommand,
  DeleteWarmPoolCommand,
  DescribeInstanceRefreshesCommand,
  DescribeLifecycleHooksCommand,
  DescribeWarmPoolCommand,
  PutLifecycleHookCommand,
  PutWarmPoolCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetInstanceProtectionCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingGroupState } from './auto-scaling-group';
import { describeInstance } from './auto-scaling-describe';
import type { GroupFeatures } from './auto-scaling-features';
import {
  describeHook,
  type LifecycleActionResult,
  type LifecycleTransition,
} from './auto-scaling-lifecycle-hooks';
import { describePool, type PoolState } from './auto-scaling-warm-pools';
import { constraintMessage, serviceError, tooManyMessage } from './errors';
import { cancelRefresh, describeRefresh, preferencesOf } from './instance-refreshes';
import { paginate } from './pagination';
import { route, type Route } from './router';

const validation = (message: string): Error => serviceError('autoscaling', 'ValidationError', message);
const invalidToken = (): Error =>
  serviceError('autoscaling', 'InvalidNextToken', 'The token provided is not valid.');
const required = (value: unknown, member: string): void => {
  if (value === undefined || value === null)
    throw validation(constraintMessage('null', member, 'Member must not be null'));
};

export interface FeatureRouteDependencies {
  features: GroupFeatures;
  groups: Map<string, AutoScalingGroupState>;
  group: (name: string | undefined) => AutoScalingGroupState;
  now: () => number;
  maxRecords: (value: number | undefined, fallback: number, limit: number) => number;
}

export function featureRoutes(deps: FeatureRouteDependencies): Route[] {
  const { features } = deps;
  return [
    // SetInstanceProtection API reference: InstanceIds and ProtectedFromScaleIn required, up to 50 ids.
    route(SetInstanceProtectionCommand, (input) => {
      const group = deps.group(input.AutoScalingGroupName);
      required(input.InstanceIds, 'instanceIds');
      required(input.ProtectedFromScaleIn, 'protectedFromScaleIn');
      const ids = [...new Set(input.InstanceIds)];
      if (ids.length > 50) {
        // "If you exceed your maximum limit of instance IDs, which is 50 per Auto Scaling group, the call
        // fails." The error is UNCONFIRMED (the page lists LimitExceeded).
        throw serviceError('autoscaling', 'LimitExceededFault', tooManyMessage(ids, 'instanceIds', 50));
      }
      features.setInstanceProtection(group, ids, input.ProtectedFromScaleIn as boolean);
      return {};
    }),

    route(PutLifecycleHookCommand, (input) => {
      const group = deps.group(input.AutoScalingGroupName);
      required(input.LifecycleHookName, 'lifecycleHookName');
      features.putLifecycleHook(group, {
        name: input.LifecycleHookName as string,
        transition: input.LifecycleTransition as LifecycleTransition | undefined,
        heartbeatTimeout: input.HeartbeatTimeout,
        defaultResult: input.DefaultResult as LifecycleActionResult | undefined,
        notificationMetadata: input.NotificationMetadata,
        notificationTargetArn: input.NotificationTargetARN,
        roleArn: input.RoleARN,
      });
      return {};
    }),
    // DescribeLifecycleHooks API reference: all the group's hooks, or up to 50 named ones.
    route(DescribeLifecycleHooksCommand, (input) => {
      const group = deps.group(input.AutoScalingGroupName);
      const names = input.LifecycleHookNames ?? [];
      if (names.length > 50) throw validation(tooManyMessage(names, 'lifecycleHookNames', 50));
      const hooks = [...group.lifecycleHooks.values()].filter(
        (hook) => names.length === 0 || names.includes(hook.name),
      );
      return { LifecycleHooks: hooks.map((hook) => describeHook(group.name, hook)) };
    }),
    route(DeleteLifecycleHookCommand, (input) => {
      const group = deps.group(input.AutoScalingGroupName);
      required(input.LifecycleHookName, 'lifecycleHookName');
      features.deleteLifecycleHook(group, input.LifecycleHookName as string, deps.now());
      return {};
    }),
    route(CompleteLifecycleActionCommand, (input) => {
      const group = deps.group(input.AutoScalingGroupName);
      required(input.LifecycleHookName, 'lifecycleHookName');
      required(input.LifecycleActionResult, 'lifecycleActionResult');
      const result = input.LifecycleActionResult;
      if (result !== 'CONTINUE' && result !== 'ABANDON')
        throw validation(`Invalid lifecycle action result ${result}. Valid values: CONTINUE, ABANDON.`);
      features.completeLifecycleAction(
        group,
        input.LifecycleHookName as string,
        result,
        { token: input.LifecycleActionToken, instanceId: input.InstanceId },
        deps.now(),
      );
      return {};
    }),
    route(RecordLifecycleActionHeartbeatCommand, (input) => {
      const group = deps.group(input.AutoScalingGroupName);
      required(input.LifecycleHookName, 'lifecycleHookName');
      features.recordHeartbeat(
        group,
        input.LifecycleHookName as string,
        { token: input.LifecycleActionToken, instanceId: input.InstanceId },
        deps.now(),
      );
      return {};
    }),

    route(PutWarmPoolCommand, (input) => {
      const group = deps.group(input.AutoScalingGroupName);
      features.putWarmPool(group, {
        minSize: input.MinSize,
        maxGroupPreparedCapacity: input.MaxGroupPreparedCapacity,
        poolState: input.PoolState as PoolState | undefined,
        reuseOnScaleIn: input.InstanceReusePolicy?.ReuseOnScaleIn,
      });
      return {};
    }),
    // DescribeWarmPool API reference: MaxRecords at most 50; the pool's configuration and instances.
    route(DescribeWarmPoolCommand, (input) => {
      const group = deps.group(input.AutoScalingGroupName);
      const maxRecords = deps.maxRecords(input.MaxRecords, 50, 50);
      const pool = group.warmPool;
      const page = paginate(
        [...(pool?.instances.values() ?? [])],
        input.NextToken,
        maxRecords,
        `DescribeWarmPool:${group.name}`,
        invalidToken,
      );
      return {
        WarmPoolConfiguration: pool ? describePool(pool) : undefined,
        Instances: page.items.map(describeInstance),
        NextToken: page.nextToken,
      };
    }),
    route(DeleteWarmPoolCommand, (input) => {
      const group = deps.group(input.AutoScalingGroupName);
      features.deleteWarmPool(group, deps.now());
      return {};
    }),

    route(StartInstanceRefreshCommand, (input) => {
      const group = deps.group(input.AutoScalingGroupName);
      if (input.Strategy !== undefined && input.Strategy !== 'Rolling') {
        if (input.Strategy !== 'ReplaceRootVolume') throw validation(`Invalid strategy ${input.Strategy}.`);
        throw new Error('The simulated account does not model the ReplaceRootVolume strategy.');
      }
      const given = input.Preferences ?? {};
      if (input.DesiredConfiguration || given.AutoRollback || given.CheckpointPercentages?.length) {
        // Refused loudly rather than run differently from AWS.
        throw new Error(
          'The simulated account does not model DesiredConfiguration, AutoRollback or checkpoints of instance refreshes.',
        );
      }
      const preferences = preferencesOf(group, {
        minHealthyPercentage: given.MinHealthyPercentage,
        maxHealthyPercentage: given.MaxHealthyPercentage,
        instanceWarmupSeconds: given.InstanceWarmup,
        skipMatching: given.SkipMatching,
        scaleInProtectedInstances: given.ScaleInProtectedInstances,
        standbyInstances: given.StandbyInstances,
      });
      return { InstanceRefreshId: features.startInstanceRefresh(group, preferences, deps.now()) };
    }),
    route(CancelInstanceRefreshCommand, (input) => {
      const group = deps.groups.get(input.AutoScalingGroupName ?? '');
      return { InstanceRefreshId: cancelRefresh(group, input.AutoScalingGroupName, deps.now()) };
    }),
    // DescribeInstanceRefreshes API reference: newest first, MaxRecords ≤ 100; UNCONFIRMED: an unknown
    // group answers an empty list.
    route(DescribeInstanceRefreshesCommand, (input) => {
      const maxRecords = deps.maxRecords(input.MaxRecords, 50, 100);
      const group = deps.groups.get(input.AutoScalingGroupName ?? '');
      const ids = input.InstanceRefreshIds ?? [];
      const refreshes = (group?.instanceRefreshes ?? []).filter(
        (refresh) => ids.length === 0 || ids.includes(refresh.id),
      );
      const page = paginate(
        refreshes,
        input.NextToken,
        maxRecords,
        `DescribeInstanceRefreshes:${input.AutoScalingGroupName}`,
        invalidToken,
      );
      return {
        InstanceRefreshes: page.items.map((refresh) => describeRefresh(group?.name ?? '', refresh)),
        NextToken: page.nextToken,
      };
    }),
  ];
}
