// Over 250 lines: every Auto Scaling call the steps make (batching, idempotency, error mapping) in the one shared module per service.
import {
  AttachTrafficSourcesCommand,
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DeleteTagsCommand,
  DescribeTrafficSourcesCommand,
  DetachTrafficSourcesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
  type Instance,
  type TrafficSourceState,
} from '@aws-sdk/client-auto-scaling';
import { allPages, inBatches } from '../batch';
import { OPERATOR_REQUEST_TAG, OPERATOR_REQUESTS, type OperatorRequest } from '../contract/tags';
import { AwsRequestError, InconsistentAccountError, NotReadyError } from '../errors';
import type { Capacity } from '../settings';
import { callAws, CLIENT_CONFIG } from './call';

// Kept importable from here: the handler tests name the tag through this module.
export { OPERATOR_REQUEST_TAG, type OperatorRequest };

export const autoScaling = new AutoScalingClient(CLIENT_CONFIG);

/** AWS limits per call (docs/aws-facts/auto-scaling-standby.md, docs/aws-facts/traffic-sources.md). */
export const MAX_INSTANCES_PER_STANDBY_CALL = 20;
export const MAX_TRAFFIC_SOURCES_PER_CALL = 10;
const MAX_GROUPS_PER_DESCRIBE = 50;

/**
 * Processes suspended on the old fleet while it waits in Standby: none of them may move or replace those
 * instances behind our back. Launch is never suspended: it would block ExitStandby, the rollback path.
 * AddToLoadBalancer is left alone too: suspending it would keep returning instances out of the target group.
 */
export const OLD_FLEET_SUSPENDED_PROCESSES = [
  'AZRebalance',
  'AlarmNotification',
  'ScheduledActions',
  'InstanceRefresh',
];

export async function describeGroups(names: readonly string[]): Promise<AutoScalingGroup[]> {
  const groups: AutoScalingGroup[] = [];
  await inBatches(names, MAX_GROUPS_PER_DESCRIBE, async (batch) => {
    const described = await allPages(async (NextToken) => {
      const page = await callAws('DescribeAutoScalingGroups', () =>
        autoScaling.send(
          new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: batch, MaxRecords: 100, NextToken }),
        ),
      );
      return { items: page.AutoScalingGroups, next: page.NextToken };
    });
    groups.push(...described);
  });
  return groups;
}

export async function describeGroup(name: string): Promise<AutoScalingGroup> {
  const [group] = await describeEachGroup([name]);
  return group;
}

/**
 * Each named group, in the order named, in one read (the answer has the shape of `names`: a pair for a
 * pair); a group that does not exist fails the step.
 */
export async function describeEachGroup<const Names extends readonly string[]>(
  names: Names,
): Promise<{ -readonly [K in keyof Names]: AutoScalingGroup }> {
  const groups = await describeGroups(names);
  return names.map((name) => {
    const group = groups.find((candidate) => candidate.AutoScalingGroupName === name);
    if (!group) {
      throw new InconsistentAccountError(
        `Auto Scaling group "${name}" does not exist: check the group names in the deployment configuration.`,
      );
    }
    return group;
  }) as { -readonly [K in keyof Names]: AutoScalingGroup };
}

export function instancesOf(group: AutoScalingGroup): Instance[] {
  return group.Instances ?? [];
}

export function instancesIn(group: AutoScalingGroup, ...states: string[]): Instance[] {
  return instancesOf(group).filter((instance) => states.includes(instance.LifecycleState ?? ''));
}

export function instanceIds(instances: readonly Instance[]): string[] {
  return instances.map((instance) => instance.InstanceId ?? '').filter((id) => id !== '');
}

export function capacityOf(group: AutoScalingGroup): Capacity {
  return { min: group.MinSize ?? 0, desired: group.DesiredCapacity ?? 0, max: group.MaxSize ?? 0 };
}

export function operatorRequestOf(group: AutoScalingGroup): OperatorRequest | undefined {
  const value = group.Tags?.find((tag) => tag.Key === OPERATOR_REQUEST_TAG)?.Value;
  return OPERATOR_REQUESTS.find((request) => request === value);
}

export interface AttachedTargetGroup {
  arn: string;
  state: TrafficSourceState['State'];
}

/** The group's elbv2 traffic sources with their attachment state (Adding, Added, InService, Removing, Removed). */
export async function listAttachedTargetGroups(groupName: string): Promise<AttachedTargetGroup[]> {
  return callAws('DescribeTrafficSources', () => trafficSourcesOf(autoScaling, groupName));
}

/**
 * Every page of the group's elbv2 traffic sources, through any client: the steps use the module's, the
 * operator CLI one per Region. AWS errors come through unnamed for the caller to word.
 */
export async function trafficSourcesOf(
  client: AutoScalingClient,
  groupName: string,
): Promise<AttachedTargetGroup[]> {
  const sources = await allPages(async (NextToken) => {
    const page = await client.send(
      new DescribeTrafficSourcesCommand({
        AutoScalingGroupName: groupName,
        TrafficSourceType: 'elbv2',
        MaxRecords: 50,
        NextToken,
      }),
    );
    return { items: page.TrafficSources, next: page.NextToken };
  });
  return sources.flatMap((source) =>
    source.Identifier ? [{ arn: source.Identifier, state: source.State }] : [],
  );
}

/** Attached and not on its way out. */
export function isAttached(source: AttachedTargetGroup): boolean {
  return source.state !== 'Removing' && source.state !== 'Removed';
}

/**
 * The target groups a group is attached to and not leaving, whichever API attached them. The group's own
 * `TargetGroupARNs` (DescribeAutoScalingGroups: "the target groups for your load balancer",
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AutoScalingGroup.html) names those of
 * AttachLoadBalancerTargetGroups and of the group's creation (CloudFormation's TargetGroupARNs);
 * DescribeTrafficSources names AttachTrafficSources' with their state. AWS supports both APIs on one group
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeLoadBalancerTargetGroups.html) and
 * documents neither listing as including the other's, so a target group in either counts. Only a state
 * from DescribeTrafficSources can say it is leaving: `TargetGroupARNs` carries none.
 */
export function attachedTargetGroupArns(
  group: AutoScalingGroup,
  sources: readonly AttachedTargetGroup[],
): string[] {
  const attached = sources.filter(isAttached).map((source) => source.arn);
  const leaving = new Set(sources.filter((source) => !isAttached(source)).map((source) => source.arn));
  const listedByGroup = (group.TargetGroupARNs ?? []).filter((arn) => !leaving.has(arn));
  return [...new Set([...attached, ...listedByGroup])];
}

const elbv2 = (arns: readonly string[]) => arns.map((arn) => ({ Identifier: arn, Type: 'elbv2' }));

export async function attachTargetGroups(groupName: string, arns: readonly string[]): Promise<void> {
  await inBatches(arns, MAX_TRAFFIC_SOURCES_PER_CALL, (batch) =>
    callAws('AttachTrafficSources', () =>
      autoScaling.send(
        new AttachTrafficSourcesCommand({ AutoScalingGroupName: groupName, TrafficSources: elbv2(batch) }),
      ),
    ),
  );
}

/**
 * Starts detaching the group from `arns`. A detach that AWS applied but whose answer was lost (a timeout or
 * 5xx after the fact) comes back from the SDK's automatic retry as an error: the group is already leaving
 * those target groups. So a refused detach is judged by the account, not by the answer: when none of the
 * batch is still attached, the goal is reached (I6, docs/design.md#invariants).
 */
export async function detachTargetGroups(groupName: string, arns: readonly string[]): Promise<void> {
  await inBatches(arns, MAX_TRAFFIC_SOURCES_PER_CALL, async (batch) => {
    try {
      await callAws('DetachTrafficSources', () =>
        autoScaling.send(
          new DetachTrafficSourcesCommand({ AutoScalingGroupName: groupName, TrafficSources: elbv2(batch) }),
        ),
      );
    } catch (error) {
      if (!(error instanceof AwsRequestError)) throw error;
      const attached = new Set(
        (await listAttachedTargetGroups(groupName)).filter(isAttached).map((source) => source.arn),
      );
      if (batch.some((arn) => attached.has(arn))) throw error;
    }
  });
}

export async function updateCapacity(groupName: string, capacity: Partial<Capacity>): Promise<void> {
  await callAws('UpdateAutoScalingGroup', () =>
    autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: groupName,
        MinSize: capacity.min,
        DesiredCapacity: capacity.desired,
        MaxSize: capacity.max,
      }),
    ),
  );
}

/**
 * A Standby move that AWS applied but whose answer was lost (a timeout or 5xx after the fact) comes back
 * from the SDK's automatic retry as "The instance … is not in InService/Standby": the instance has already
 * moved. That is not a failure of the step; retrying it re-reads the group and moves only what is left.
 */
async function moveStandby(
  operation: 'EnterStandby' | 'ExitStandby',
  call: () => Promise<unknown>,
): Promise<void> {
  try {
    await callAws(operation, call);
  } catch (error) {
    if (
      error instanceof AwsRequestError &&
      /ValidationError: The instance \S+ is not in (InService|Standby)/.test(error.message)
    ) {
      throw new NotReadyError(
        `${error.message} (it moved already, or is moving): the step re-reads the group and retries.`,
        { cause: error },
      );
    }
    throw error;
  }
}

export async function enterStandby(groupName: string, ids: readonly string[]): Promise<void> {
  await inBatches(ids, MAX_INSTANCES_PER_STANDBY_CALL, (InstanceIds) =>
    moveStandby('EnterStandby', () =>
      autoScaling.send(
        new EnterStandbyCommand({
          AutoScalingGroupName: groupName,
          InstanceIds,
          ShouldDecrementDesiredCapacity: true,
        }),
      ),
    ),
  );
}

export async function exitStandby(groupName: string, ids: readonly string[]): Promise<void> {
  await inBatches(ids, MAX_INSTANCES_PER_STANDBY_CALL, (InstanceIds) =>
    moveStandby('ExitStandby', () =>
      autoScaling.send(new ExitStandbyCommand({ AutoScalingGroupName: groupName, InstanceIds })),
    ),
  );
}

export async function suspendProcesses(groupName: string, processes: readonly string[]): Promise<void> {
  await callAws('SuspendProcesses', () =>
    autoScaling.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: groupName, ScalingProcesses: [...processes] }),
    ),
  );
}

export async function resumeProcesses(groupName: string, processes: readonly string[]): Promise<void> {
  await callAws('ResumeProcesses', () =>
    autoScaling.send(
      new ResumeProcessesCommand({ AutoScalingGroupName: groupName, ScalingProcesses: [...processes] }),
    ),
  );
}

/**
 * Points the group at one launch template version (a number, never $Latest) and sets its sizes. A group
 * with a mixed instances policy gets the version in the policy's launch template specification, where it
 * reads it, with its overrides and instances distribution sent back as described: they are kept whether
 * UpdateAutoScalingGroup replaces the policy or merges it (docs/aws-facts/auto-scaling-mixed-instances.md).
 */
export async function pointGroupAt(
  group: AutoScalingGroup,
  launchTemplateId: string,
  version: number,
  capacity: Capacity,
): Promise<void> {
  const specification = { LaunchTemplateId: launchTemplateId, Version: String(version) };
  const policy = group.MixedInstancesPolicy;
  await callAws('UpdateAutoScalingGroup', () =>
    autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: group.AutoScalingGroupName,
        ...(policy
          ? {
              MixedInstancesPolicy: {
                ...policy,
                LaunchTemplate: { ...policy.LaunchTemplate, LaunchTemplateSpecification: specification },
              },
            }
          : { LaunchTemplate: specification }),
        MinSize: capacity.min,
        DesiredCapacity: capacity.desired,
        MaxSize: capacity.max,
      }),
    ),
  );
}

/** Removes a stale operator request so it cannot promote or roll back the next deployment into this group. */
export async function clearOperatorRequest(group: AutoScalingGroup): Promise<void> {
  await deleteGroupTag(group, OPERATOR_REQUEST_TAG);
}

/** Removes the group's tag `key` when it has one; a group without it costs no call (I6). */
export async function deleteGroupTag(group: AutoScalingGroup, key: string): Promise<void> {
  if (!group.Tags?.some((tag) => tag.Key === key)) return;
  await callAws('DeleteTags', () =>
    autoScaling.send(
      new DeleteTagsCommand({
        Tags: [{ ResourceId: group.AutoScalingGroupName, ResourceType: 'auto-scaling-group', Key: key }],
      }),
    ),
  );
}

/**
 * Attaches those of `arns` that the group is not attached to (or is leaving), so that a repeated step
 * attaches nothing (I6). Returns how many this call attached.
 */
export async function attachMissingTargetGroups(groupName: string, arns: readonly string[]): Promise<number> {
  const current = await listAttachedTargetGroups(groupName);
  const attached = new Set(current.filter(isAttached).map((source) => source.arn));
  const missing = [...new Set(arns)].filter((arn) => !attached.has(arn));
  if (missing.length > 0) await attachTargetGroups(groupName, missing);
  return missing.length;
}

/**
 * Detaches those of `arns` that are attached and not already on their way out: a repeated step, or a
 * target group that was never attached, costs no call (I6). Returns how many this call detached.
 */
export async function detachAttachedTargetGroups(
  groupName: string,
  arns: readonly string[],
): Promise<number> {
  const wanted = new Set(arns);
  const current = await listAttachedTargetGroups(groupName);
  const toDetach = [
    ...new Set(current.filter((source) => wanted.has(source.arn) && isAttached(source)).map((s) => s.arn)),
  ];
  if (toDetach.length > 0) await detachTargetGroups(groupName, toDetach);
  return toDetach.length;
}

export function suspendedProcessesOf(group: AutoScalingGroup): Set<string> {
  return new Set(
    (group.SuspendedProcesses ?? [])
      .map((process) => process.ProcessName ?? '')
      .filter((name) => name !== ''),
  );
}

/**
 * Moves every Standby instance of the group back towards service (≤ 20 per call), or those of `ids`.
 * ExitStandby raises the group's desired capacity by the number of instances, so callers that set sizes
 * afterwards must not rely on the capacity they described before this call. Desired capacity never exceeds
 * MaxSize, and a scale-out while instances waited in Standby can have used the room they need
 * (docs/aws-facts/auto-scaling-standby.md#exitstandby): MaxSize is raised to make it first. Returns how many
 * instances left Standby.
 */
export async function exitAllStandby(
  group: AutoScalingGroup,
  ids: readonly string[] = instanceIds(instancesIn(group, 'Standby')),
): Promise<number> {
  if (ids.length === 0) return 0;
  const name = group.AutoScalingGroupName ?? '';
  const { desired, max } = capacityOf(group);
  if (desired + ids.length > max) await updateCapacity(name, { max: desired + ids.length });
  await exitStandby(name, ids);
  return ids.length;
}

/** "2 InService, 1 Pending": how many of the instances are in each lifecycle state, in a stable order. */
export function lifecycleSummary(instances: readonly Instance[]): string {
  const counts = new Map<string, number>();
  for (const instance of instances) {
    const state = instance.LifecycleState ?? 'unknown';
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  // Counts per state, never ids: details go into the execution state, which must not grow with the fleet (I7).
  return [...counts.entries()]
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
    .map(([state, count]) => `${count} ${state}`)
    .join(', ');
}
