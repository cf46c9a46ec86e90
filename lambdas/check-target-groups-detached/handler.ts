import { listAttachedTargetGroups } from '../shared/aws/auto-scaling';
import { targetGroupName } from '../shared/aws/elb';
import { defineHandler } from '../shared/handler';
import { evaluateWait, type WaitState } from '../shared/wait';
import { InputSchema, type Input } from './input';

/**
 * Done when the group has left every given target group: each is gone from DescribeTrafficSources or
 * `Removed`. `Removing` means its targets are still draining; any other state means nobody detached it.
 */
async function run(input: Input): Promise<WaitState> {
  const wanted = new Set(input.targetGroupArns);
  const sources = await listAttachedTargetGroups(input.groupName);
  const remaining = sources.filter((source) => wanted.has(source.arn) && source.state !== 'Removed');
  const draining = remaining.filter((source) => source.state === 'Removing');
  const attached = remaining.filter((source) => source.state !== 'Removing');

  const names = (list: typeof remaining) => list.map((source) => targetGroupName(source.arn)).join(', ');
  const parts: string[] = [];
  if (draining.length > 0) parts.push(`${input.groupName} still draining from ${names(draining)}`);
  if (attached.length > 0) {
    parts.push(
      `${input.groupName} still attached to ${attached
        .map((source) => `${targetGroupName(source.arn)} (${source.state ?? 'unknown state'})`)
        .join(', ')}: it was never detached, run detach-target-groups for it`,
    );
  }
  const detail =
    remaining.length === 0
      ? `${input.groupName} has left ${input.targetGroupArns.map(targetGroupName).join(', ')}`
      : parts.join('; ');

  return evaluateWait(`${input.groupName} to leave its target groups`, input.wait, input.timeoutSeconds, {
    done: remaining.length === 0,
    detail,
  });
}

export const handler = defineHandler('check-target-groups-detached', InputSchema, run);
