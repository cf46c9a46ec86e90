import { instanceIds, instancesIn } from '../shared/aws/auto-scaling';
import { summariseTargets, targetGroupName, targetHealth, type TargetState } from '../shared/aws/elb';
import { defineHandler } from '../shared/handler';
import { describeForWait } from '../shared/operator-request';
import { evaluateWait, type WaitState } from '../shared/wait';
import { InputSchema, type Input } from './input';

/**
 * Done when the group serves at full strength in the target group: at least one and at least
 * DesiredCapacity instances InService, and every one of them `healthy` there. This gates every "remove"
 * that follows an "add" (I1), so an empty group or a group still launching is never done.
 */
async function run(input: Input): Promise<WaitState> {
  const group = await describeForWait(
    input.groupName,
    input.operatorRequestGroup,
    `the targets of ${input.groupName} to be healthy in ${targetGroupName(input.targetGroupArn)}`,
  );
  const inService = instanceIds(instancesIn(group, 'InService'));
  const desired = group.DesiredCapacity ?? 0;
  // Nothing InService means nothing to look up; skipping the call keeps a long wait cheap.
  const health =
    inService.length > 0 ? await targetHealth(input.targetGroupArn) : new Map<string, TargetState>();
  const targets = summariseTargets(health, inService);

  const done = inService.length >= 1 && inService.length >= desired && targets.healthy === inService.length;
  const expected = Math.max(desired, inService.length, 1);
  let detail = `${targets.healthy} of ${expected} targets of ${input.groupName} healthy in ${targetGroupName(input.targetGroupArn)}`;
  const notHealthy = [targets.unhealthy > 0 ? `${targets.unhealthy} unhealthy` : '', targets.others]
    .filter((part) => part !== '')
    .join(', ');
  if (notHealthy !== '') detail += ` (${notHealthy})`;
  if (inService.length < expected) detail += `; ${inService.length} of ${expected} instances InService`;

  return evaluateWait(
    `the targets of ${input.groupName} to be healthy in ${targetGroupName(input.targetGroupArn)}`,
    input.wait,
    input.timeoutSeconds,
    { done, detail },
  );
}

export const handler = defineHandler('check-targets-healthy', InputSchema, run);
