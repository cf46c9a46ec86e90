import { attachMissingTargetGroups } from '../shared/aws/auto-scaling';
import { defineHandler } from '../shared/handler';
import { InputSchema } from './input';

/**
 * Attaches the group to target groups (AttachTrafficSources, elbv2) and answers how many this run attached:
 * 0 when a previous run already did (I6). The group's instances are registered and must pass health checks
 * before they serve; the check-targets-healthy loop waits for that.
 */
export const handler = defineHandler('attach-target-groups', InputSchema, async (input) => ({
  groupName: input.groupName,
  attached: await attachMissingTargetGroups(input.groupName, input.targetGroupArns),
}));
