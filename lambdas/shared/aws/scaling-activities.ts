import { DescribeScalingActivitiesCommand, type Activity } from '@aws-sdk/client-auto-scaling';
import { autoScaling } from './auto-scaling';
import { callAws } from './call';

/**
 * What the group's scaling activities say of its launches. The newest 100 activities (one page at most) are
 * enough: a wait or a check looks at launches of its own deployment, minutes old.
 */
async function recentActivities(groupName: string): Promise<Activity[]> {
  const answer = await callAws('DescribeScalingActivities', () =>
    autoScaling.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: groupName, MaxRecords: 100 }),
    ),
  );
  return answer.Activities ?? [];
}

const LAUNCH = /^Launching a new EC2 instance: (i-[0-9a-f]+)/i;

/**
 * Launches of the group a launch lifecycle hook abandoned since `since` (docs/aws-facts/auto-scaling-lifecycle-hooks.md):
 * the instance is terminated and the launch activity ends with a status message that names the abandoned
 * lifecycle action ("Instance failed to complete user's Lifecycle Action: … ABANDON …").
 */
export async function abandonedLaunches(groupName: string, since: number): Promise<Activity[]> {
  return (await recentActivities(groupName)).filter(
    (activity) =>
      (activity.StartTime?.getTime() ?? 0) >= since &&
      LAUNCH.test(activity.Description ?? '') &&
      /Lifecycle Action/i.test(activity.StatusMessage ?? '') &&
      /ABANDON/i.test(activity.StatusMessage ?? ''),
  );
}

/**
 * When each of `instanceIds` entered service, for those whose launch is among the recent activities: the
 * end of its launch activity, which ends once the instance is launched and past its launch hooks
 * (docs/aws-facts/auto-scaling-groups.md#health-checks). A launch activity still in progress counts as now.
 */
export async function inServiceTimes(
  groupName: string,
  instanceIds: readonly string[],
  now: number,
): Promise<Map<string, number>> {
  const wanted = new Set(instanceIds);
  const times = new Map<string, number>();
  for (const activity of await recentActivities(groupName)) {
    const id = LAUNCH.exec(activity.Description ?? '')?.[1];
    if (id && wanted.has(id)) times.set(id, activity.EndTime?.getTime() ?? now);
  }
  return times;
}
