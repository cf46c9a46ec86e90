import { detachAttachedTargetGroups } from '../shared/aws/auto-scaling';
import { defineHandler } from '../shared/handler';
import { InputSchema } from './input';

/**
 * Starts detaching the group from target groups and answers how many this run detached: 0 when none was
 * attached or a previous run did it (I6). Its instances keep running; their targets drain for the
 * deregistration delay (Removing), which check-target-groups-detached waits out.
 */
export const handler = defineHandler('detach-target-groups', InputSchema, async (input) => ({
  groupName: input.groupName,
  detached: await detachAttachedTargetGroups(input.groupName, input.targetGroupArns),
}));
