import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  describeGroup,
  enterStandby,
  instanceIds,
  instancesIn,
  instancesOf,
  OLD_FLEET_SUSPENDED_PROCESSES,
  suspendedProcessesOf,
  updateCapacity,
} from '../shared/aws/auto-scaling';
import { suspendForDeployment } from '../shared/aws/deployment-processes';
import { targetGroupName, targetHealth } from '../shared/aws/elb';
import { UnsafeOperationError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

export interface Output {
  groupName: string;
  /** How many instances this run put into Standby: 0 on a repeated run (I6). */
  movedToStandby: number;
}

/**
 * Takes the old fleet out of service without terminating it (I4): its InService instances enter Standby,
 * which deregisters them from the main target group (they drain, then sit warm for a rollback).
 */
async function run(input: Input): Promise<Output> {
  const group = await describeGroup(input.groupName);
  const inService = instanceIds(instancesIn(group, 'InService'));
  const suspended = suspendedProcessesOf(group);
  const needsSuspend = OLD_FLEET_SUSPENDED_PROCESSES.some((process) => !suspended.has(process));
  const needsMinZero = (group.MinSize ?? 0) > 0;
  // A repeated run finds the work done: change nothing, and do not re-judge a fleet it already moved.
  if (inService.length === 0 && !needsSuspend && !needsMinZero) {
    return { groupName: input.groupName, movedToStandby: 0 };
  }

  if (suspended.has('Launch')) {
    throw new UnsafeOperationError(
      `Refusing to put ${input.groupName} in Standby: its Launch process is suspended, which blocks ExitStandby, so a rollback could not bring it back. Resume Launch on ${input.groupName} (ResumeProcesses) and retry.`,
    );
  }
  await assertOthersServe(group, input.mainTargetGroupArn);

  await suspendForDeployment(group, OLD_FLEET_SUSPENDED_PROCESSES);
  // EnterStandby may decrement desired capacity only while it stays >= MinSize
  // (docs/aws-facts/auto-scaling-standby.md#enterstandby); decrementing is what keeps the group from
  // launching replacements for the instances it parks.
  if (needsMinZero) await updateCapacity(input.groupName, { min: 0 });
  await enterStandby(input.groupName, inService);
  return { groupName: input.groupName, movedToStandby: inService.length };
}

/**
 * I1 defence: parking this fleet must not leave users with nothing, so the main target group needs at
 * least one healthy target that is not one of this group's instances (the new fleet) before anything moves.
 */
async function assertOthersServe(group: AutoScalingGroup, mainTargetGroupArn: string): Promise<void> {
  const groupName = group.AutoScalingGroupName ?? '';
  const own = new Set(instanceIds(instancesOf(group)));
  const health = await targetHealth(mainTargetGroupArn);
  let healthyElsewhere = 0;
  for (const [id, state] of health) {
    if (state === 'healthy' && !own.has(id)) healthyElsewhere += 1;
  }
  if (healthyElsewhere === 0) {
    const main = targetGroupName(mainTargetGroupArn);
    throw new UnsafeOperationError(
      `Refusing to put ${groupName} in Standby: ${main} has no healthy target outside ${groupName}, so users would be left with nothing. Check that the new group's targets are registered and healthy in ${main} before standing the old fleet down.`,
    );
  }
}

export const handler = defineHandler('enter-standby', InputSchema, run);
