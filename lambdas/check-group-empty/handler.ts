import { describeGroup, instancesOf, lifecycleSummary } from '../shared/aws/auto-scaling';
import { defineHandler } from '../shared/handler';
import { evaluateWait, type WaitState } from '../shared/wait';
import { InputSchema, type Input } from './input';

/** Polls until a group scaled to zero has no instances left (every "… is empty" wait). Read-only. */

async function run(input: Input): Promise<WaitState> {
  const group = await describeGroup(input.groupName);
  // Terminated instances linger in the description for a while but no longer exist for the group.
  const left = instancesOf(group).filter((instance) => instance.LifecycleState !== 'Terminated');
  const hints: string[] = [];
  const protectedLeft = left.filter((instance) => instance.ProtectedFromScaleIn === true).length;
  if (protectedLeft > 0) hints.push(`${protectedLeft} protected from scale-in`);
  if (left.some((instance) => instance.LifecycleState === 'Standby'))
    hints.push('Standby instances are not terminated by scale-in');
  const desired = group.DesiredCapacity ?? 0;
  if (desired > 0) hints.push(`desired capacity is ${desired}, not 0`);
  const detail =
    left.length === 0
      ? `${input.groupName} has no instances left`
      : `${left.length} instance${left.length === 1 ? '' : 's'} left in ${input.groupName} (${lifecycleSummary(left)})` +
        (hints.length > 0 ? `; ${hints.join('; ')}` : '');
  return evaluateWait(`${input.groupName} to empty`, input.wait, input.timeoutSeconds, {
    done: left.length === 0,
    detail,
  });
}

export const handler = defineHandler('check-group-empty', InputSchema, run);
