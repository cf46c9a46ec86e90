import { attachMissingTargetGroups } from '../shared/aws/auto-scaling';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

export interface Output {
  groupName: string;
  /** How many target groups this run attached: 0 when a previous run already did (I6). */
  attached: number;
}

/**
 * Attaches the group to target groups (AttachTrafficSources, elbv2). The group's instances are registered
 * and must pass health checks before they serve; the check-targets-healthy loop waits for that.
 */
async function run(input: Input): Promise<Output> {
  const attached = await attachMissingTargetGroups(input.groupName, input.targetGroupArns);
  return { groupName: input.groupName, attached };
}

export const handler = defineHandler('attach-target-groups', InputSchema, run);
