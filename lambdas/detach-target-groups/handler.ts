import { detachAttachedTargetGroups } from '../shared/aws/auto-scaling';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

export interface Output {
  groupName: string;
  /** How many target groups this run detached: 0 when none was attached or a previous run did it (I6). */
  detached: number;
}

/**
 * Starts detaching the group from target groups. Its instances keep running; their targets drain for the
 * deregistration delay (Removing), which check-target-groups-detached waits out.
 */
async function run(input: Input): Promise<Output> {
  const detached = await detachAttachedTargetGroups(input.groupName, input.targetGroupArns);
  return { groupName: input.groupName, detached };
}

export const handler = defineHandler('detach-target-groups', InputSchema, run);
