import { DescribeInstanceRefreshesCommand, type InstanceRefresh } from '@aws-sdk/client-auto-scaling';
import { autoScaling } from './auto-scaling';
import { callAws } from './call';

/**
 * Statuses of an instance refresh that is still changing the group (DescribeInstanceRefreshes API
 * reference, InstanceRefresh.Status); the others (Successful, Failed, Cancelled, RollbackSuccessful,
 * RollbackFailed) are over.
 */
const UNDER_WAY = new Set(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking']);

/** The group's instance refresh that is under way, if any (AWS lists the newest first). */
export async function activeInstanceRefresh(groupName: string): Promise<InstanceRefresh | undefined> {
  const response = await callAws('DescribeInstanceRefreshes', () =>
    autoScaling.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: groupName, MaxRecords: 10 }),
    ),
  );
  return (response.InstanceRefreshes ?? []).find((refresh) => UNDER_WAY.has(refresh.Status ?? ''));
}
