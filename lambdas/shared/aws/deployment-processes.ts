import { CreateOrUpdateTagsCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { SUSPENDED_BY_DEPLOYMENT_TAG } from '../contract/tags';
import {
  autoScaling,
  deleteGroupTag,
  resumeProcesses,
  suspendedProcessesOf,
  suspendProcesses,
} from './auto-scaling';
import { callAws } from './call';

/**
 * The processes a deployment suspends on the old fleet are recorded on the group before they are
 * suspended, so that whoever resumes them (the finish, the rollback, the next launch into the group, a
 * recovery) resumes those and no other: a process the team suspended on purpose stays suspended.
 */

/** The processes a deployment recorded as suspended by it on this group. */
export function suspendedByDeployment(group: AutoScalingGroup): string[] {
  const value = group.Tags?.find((tag) => tag.Key === SUSPENDED_BY_DEPLOYMENT_TAG)?.Value ?? '';
  return value
    .split(',')
    .map((process) => process.trim())
    .filter((process) => process !== '');
}

/**
 * Suspends those of `processes` the group does not have suspended, recording them first (with any recorded
 * before): a run that dies between the two calls records the same list again and suspends what is left.
 * Returns how many it suspended.
 */
export async function suspendForDeployment(
  group: AutoScalingGroup,
  processes: readonly string[],
): Promise<number> {
  const suspended = suspendedProcessesOf(group);
  const missing = processes.filter((process) => !suspended.has(process));
  if (missing.length === 0) return 0;
  const recorded = [...new Set([...suspendedByDeployment(group), ...missing])];
  const name = group.AutoScalingGroupName ?? '';
  await callAws('CreateOrUpdateTags', () =>
    autoScaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: [
          {
            ResourceId: name,
            ResourceType: 'auto-scaling-group',
            Key: SUSPENDED_BY_DEPLOYMENT_TAG,
            Value: recorded.join(','),
            PropagateAtLaunch: false,
          },
        ],
      }),
    ),
  );
  await suspendProcesses(name, missing);
  return missing.length;
}

/**
 * Resumes the processes a deployment recorded as suspended by it, then forgets the record (in that order,
 * so a run that dies in between resumes nothing twice and still forgets). Returns the processes resumed.
 */
export async function resumeSuspendedByDeployment(group: AutoScalingGroup): Promise<string[]> {
  const suspended = suspendedProcessesOf(group);
  const present = suspendedByDeployment(group).filter((process) => suspended.has(process));
  if (present.length > 0) await resumeProcesses(group.AutoScalingGroupName ?? '', present);
  await deleteGroupTag(group, SUSPENDED_BY_DEPLOYMENT_TAG);
  return present;
}
