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
import { chunk } from '../batch';
import { InconsistentAccountError } from '../errors';
import type { Capacity } from '../settings';
import { callAws } from './call';

export const autoScaling = new AutoScalingClient({});

/** AWS limits per call (AWS-FACTS.md). */
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

/** Group tag through which an operator promotes early or rolls back during the window (cli/ sets it). */
export const OPERATOR_REQUEST_TAG = 'blue-green:operator-request';
export type OperatorRequest = 'promote' | 'rollback';

export async function describeGroups(names: readonly string[]): Promise<AutoScalingGroup[]> {
  const groups: AutoScalingGroup[] = [];
  for (const batch of chunk(names, MAX_GROUPS_PER_DESCRIBE)) {
    let nextToken: string | undefined;
    do {
      const page = await callAws('DescribeAutoScalingGroups', () =>
        autoScaling.send(
          new DescribeAutoScalingGroupsCommand({
            AutoScalingGroupNames: batch,
            MaxRecords: 100,
            NextToken: nextToken,
          }),
        ),
      );
      groups.push(...(page.AutoScalingGroups ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return groups;
}

export async function describeGroup(name: string): Promise<AutoScalingGroup> {
  const [group] = await describeGroups([name]);
  if (!group) {
    throw new InconsistentAccountError(
      `Auto Scaling group "${name}" does not exist: check the group names in the deployment configuration.`,
    );
  }
  return group;
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
  return value === 'promote' || value === 'rollback' ? value : undefined;
}

export interface AttachedTargetGroup {
  arn: string;
  state: TrafficSourceState['State'];
}

/** The group's elbv2 traffic sources with their attachment state (Adding, Added, InService, Removing, Removed). */
export async function listAttachedTargetGroups(groupName: string): Promise<AttachedTargetGroup[]> {
  const attached: AttachedTargetGroup[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callAws('DescribeTrafficSources', () =>
      autoScaling.send(
        new DescribeTrafficSourcesCommand({
          AutoScalingGroupName: groupName,
          TrafficSourceType: 'elbv2',
          MaxRecords: 50,
          NextToken: nextToken,
        }),
      ),
    );
    for (const source of page.TrafficSources ?? []) {
      if (source.Identifier) attached.push({ arn: source.Identifier, state: source.State });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return attached;
}

/** Attached and not on its way out. */
export function isAttached(source: AttachedTargetGroup): boolean {
  return source.state !== 'Removing' && source.state !== 'Removed';
}

export async function attachTargetGroups(groupName: string, arns: readonly string[]): Promise<void> {
  for (const batch of chunk(arns, MAX_TRAFFIC_SOURCES_PER_CALL)) {
    await callAws('AttachTrafficSources', () =>
      autoScaling.send(
        new AttachTrafficSourcesCommand({
          AutoScalingGroupName: groupName,
          TrafficSources: batch.map((arn) => ({ Identifier: arn, Type: 'elbv2' })),
        }),
      ),
    );
  }
}

export async function detachTargetGroups(groupName: string, arns: readonly string[]): Promise<void> {
  for (const batch of chunk(arns, MAX_TRAFFIC_SOURCES_PER_CALL)) {
    await callAws('DetachTrafficSources', () =>
      autoScaling.send(
        new DetachTrafficSourcesCommand({
          AutoScalingGroupName: groupName,
          TrafficSources: batch.map((arn) => ({ Identifier: arn, Type: 'elbv2' })),
        }),
      ),
    );
  }
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

export async function enterStandby(groupName: string, ids: readonly string[]): Promise<void> {
  for (const batch of chunk(ids, MAX_INSTANCES_PER_STANDBY_CALL)) {
    await callAws('EnterStandby', () =>
      autoScaling.send(
        new EnterStandbyCommand({
          AutoScalingGroupName: groupName,
          InstanceIds: batch,
          ShouldDecrementDesiredCapacity: true,
        }),
      ),
    );
  }
}

export async function exitStandby(groupName: string, ids: readonly string[]): Promise<void> {
  for (const batch of chunk(ids, MAX_INSTANCES_PER_STANDBY_CALL)) {
    await callAws('ExitStandby', () =>
      autoScaling.send(new ExitStandbyCommand({ AutoScalingGroupName: groupName, InstanceIds: batch })),
    );
  }
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

/** Points the group at one launch template version (a number, never $Latest) and sets its sizes. */
export async function pointGroupAt(
  groupName: string,
  launchTemplateId: string,
  version: number,
  capacity: Capacity,
): Promise<void> {
  await callAws('UpdateAutoScalingGroup', () =>
    autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: groupName,
        LaunchTemplate: { LaunchTemplateId: launchTemplateId, Version: String(version) },
        MinSize: capacity.min,
        DesiredCapacity: capacity.desired,
        MaxSize: capacity.max,
      }),
    ),
  );
}

/** Removes a stale operator request so it cannot promote or roll back the next deployment into this group. */
export async function clearOperatorRequest(group: AutoScalingGroup): Promise<void> {
  if (!group.Tags?.some((tag) => tag.Key === OPERATOR_REQUEST_TAG)) return;
  await callAws('DeleteTags', () =>
    autoScaling.send(
      new DeleteTagsCommand({
        Tags: [
          {
            ResourceId: group.AutoScalingGroupName,
            ResourceType: 'auto-scaling-group',
            Key: OPERATOR_REQUEST_TAG,
          },
        ],
      }),
    ),
  );
}
