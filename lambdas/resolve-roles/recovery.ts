import type { AutoScalingGroup, Instance } from '@aws-sdk/client-auto-scaling';
import {
  instanceIds,
  instancesIn,
  instancesOf,
  MAX_INSTANCES_PER_STANDBY_CALL,
  suspendedProcessesOf,
} from '../shared/aws/auto-scaling';
import { suspendedByDeployment } from '../shared/aws/deployment-processes';
import { SUSPENDED_BY_DEPLOYMENT_TAG } from '../shared/contract/tags';
import type { Capacity } from '../shared/settings/fields';

/**
 * The commands of recovery hints, generated from the account as resolve-roles read it. Each is printed so
 * that it can be run as printed, one after the other (test/simulator/recovery-hints.test.ts runs every one
 * in the simulated account while users keep coming). The rule they keep: a command never leaves a target
 * group without a group in service in it; a group is only detached from the main target group when the other
 * group serves there, or when it serves nothing itself.
 */

export function nameOf(group: AutoScalingGroup): string {
  return group.AutoScalingGroupName ?? '(unnamed group)';
}

/** Instances that serve: InService and healthy (a group with ELB health checks replaces the others). */
export function servingInstances(group: AutoScalingGroup): Instance[] {
  return instancesIn(group, 'InService').filter((instance) => instance.HealthStatus !== 'Unhealthy');
}

export function detachCommand(group: AutoScalingGroup, targetGroupArn: string): string {
  return (
    `aws autoscaling detach-traffic-sources --auto-scaling-group-name ${nameOf(group)} ` +
    `--traffic-sources Identifier=${targetGroupArn},Type=elbv2`
  );
}

/**
 * Back into service from Standby (at most 20 ids per call, as ExitStandby takes): Launch resumed first when it
 * is suspended (ExitStandby needs it), MaxSize raised when the returning instances would not fit. `note` says
 * how many are left for a later call, when there are more than one call takes.
 */
export function exitStandbyCommands(group: AutoScalingGroup): {
  commands: string[];
  ids: string[];
  note: string;
} {
  const name = nameOf(group);
  const all = instanceIds(instancesIn(group, 'Standby'));
  if (all.length === 0) return { commands: [], ids: [], note: '' };
  const ids = all.slice(0, MAX_INSTANCES_PER_STANDBY_CALL);
  const commands: string[] = [];
  // Launch (ExitStandby needs it), and the processes the interrupted deployment recorded as its own
  // (docs/design.md#suspended-processes): the group serves again as the team had it, and the record goes.
  const suspended = suspendedProcessesOf(group);
  const recorded = suspendedByDeployment(group);
  const resume = [...new Set(['Launch', ...recorded])].filter((process) => suspended.has(process));
  if (resume.length > 0) {
    commands.push(
      `aws autoscaling resume-processes --auto-scaling-group-name ${name} --scaling-processes ${resume.join(' ')}`,
    );
  }
  if (group.Tags?.some((tag) => tag.Key === SUSPENDED_BY_DEPLOYMENT_TAG)) {
    commands.push(
      `aws autoscaling delete-tags --tags ResourceId=${name},ResourceType=auto-scaling-group,Key=${SUSPENDED_BY_DEPLOYMENT_TAG}`,
    );
  }
  // ExitStandby raises the desired capacity by the number of instances; it must stay within MaxSize.
  const desired = (group.DesiredCapacity ?? 0) + ids.length;
  if (desired > (group.MaxSize ?? 0)) {
    commands.push(
      `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${name} --max-size ${desired}`,
    );
  }
  commands.push(
    `aws autoscaling exit-standby --auto-scaling-group-name ${name} --instance-ids ${ids.join(' ')}`,
  );
  const note =
    all.length > ids.length
      ? ` (${all.length} in Standby: the first ${ids.length} here, at most 20 per call; repeat for the other ` +
        `${all.length - ids.length}, or start the deployment again for the next command)`
      : '';
  return { commands, ids, note };
}

/** A group with nothing in service, brought to the deployment's capacity, then waited for in the main target group. */
export function bringIntoServiceCommands(
  group: AutoScalingGroup,
  capacity: Capacity,
  mainArn: string,
): string[] {
  const name = nameOf(group);
  const commands: string[] = [];
  if ((group.DesiredCapacity ?? 0) === 0) {
    const max = Math.max(group.MaxSize ?? 0, capacity.max);
    commands.push(
      `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${name} ` +
        `--min-size ${capacity.min} --max-size ${max} --desired-capacity ${capacity.desired}`,
    );
  }
  commands.push(waitHealthyCommand(mainArn));
  return commands;
}

/** Waits until every target registered with the target group (or the given ones) is healthy. */
export function waitHealthyCommand(targetGroupArn: string, ids: readonly string[] = []): string {
  const targets = ids.length > 0 ? ` --targets ${ids.map((id) => `Id=${id}`).join(' ')}` : '';
  return `aws elbv2 wait target-in-service --target-group-arn ${targetGroupArn}${targets}`;
}

export function scaleToZeroCommand(group: AutoScalingGroup): string {
  return `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${nameOf(group)} --min-size 0 --desired-capacity 0`;
}

export function hasInstances(group: AutoScalingGroup): boolean {
  return instancesOf(group).some((instance) => instance.LifecycleState !== 'Terminated');
}

/** Commands in the order they are to be run, as one sentence. */
export function inOrder(commands: readonly string[]): string {
  return commands.join('; ');
}
