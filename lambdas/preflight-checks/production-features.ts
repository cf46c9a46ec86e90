import {
  DescribeLifecycleHooksCommand,
  DescribeWarmPoolCommand,
  type AutoScalingGroup,
  type LifecycleHook,
} from '@aws-sdk/client-auto-scaling';
import { autoScaling } from '../shared/aws/auto-scaling';
import { callAws } from '../shared/aws/call';
import { suspendedByDeployment } from '../shared/aws/deployment-processes';
import type { Input } from './input';

type Waits = Input['waits'];

/** PutLifecycleHook's default heartbeat timeout (docs/aws-facts/auto-scaling-lifecycle-hooks.md). */
const DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 3_600;
/**
 * Beyond a hook's hold: booting before a launch hook, and draining and shutting down around a terminate
 * hook. Five minutes is what the default waits leave for a group without hooks.
 */
const MARGIN_SECONDS = 300;

const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';

/**
 * A lifecycle hook holds an instance for up to its heartbeat timeout (then its default result applies):
 * a wait shorter than that would give up on instances that are only being held, and abort or roll back a
 * good version. The waits are part of the configuration (their deadlines size the execution timeout and the
 * history budget, docs/design.md#bounds-checked-at-synth-time), so a group whose hooks outlast them is refused with the size
 * each wait needs, computed from the hooks' heartbeat timeouts.
 */
export async function lifecycleHookProblems(
  groups: { standby: AutoScalingGroup; active?: AutoScalingGroup },
  waits: Waits,
): Promise<string[]> {
  const problems: string[] = [];
  const hooksOf = async (group: AutoScalingGroup) => describeHooks(group.AutoScalingGroupName ?? '');
  const standbyHooks = await hooksOf(groups.standby);
  const activeHooks = groups.active ? await hooksOf(groups.active) : [];
  const need = (
    hooks: readonly LifecycleHook[],
    transition: string,
    wait: keyof Waits,
    what: string,
  ): void => {
    const held = Math.max(
      0,
      ...hooks.filter((hook) => hook.LifecycleTransition === transition).map(heartbeat),
    );
    if (held === 0) return;
    const needed = held + MARGIN_SECONDS;
    if (waits[wait].timeoutSeconds >= needed) return;
    const hook = hooks.find(
      (candidate) => heartbeat(candidate) === held && candidate.LifecycleTransition === transition,
    );
    problems.push(
      `${hook?.AutoScalingGroupName ?? ''} has the lifecycle hook "${hook?.LifecycleHookName ?? ''}", which may ` +
        `hold ${what} for ${held} s (its heartbeat timeout), longer than waits.${wait}.timeoutSeconds ` +
        `(${waits[wait].timeoutSeconds} s) leaves. Set waits.${wait}.timeoutSeconds to at least ${needed} in ` +
        `the configuration and deploy the orchestrator again, or lower the hook's heartbeat timeout.`,
    );
  };
  need(standbyHooks, LAUNCHING, 'instancesInService', 'each new instance');
  need(standbyHooks, TERMINATING, 'groupEmpty', 'each instance the deployment removes');
  // A rollback may launch into the old group (to the capacity the new fleet served with), and the finish
  // empties it.
  need(activeHooks, LAUNCHING, 'rollbackRecovery', 'each instance a rollback launches');
  need(activeHooks, TERMINATING, 'groupEmpty', 'each instance the deployment removes');
  return [...new Set(problems)];
}

function heartbeat(hook: LifecycleHook): number {
  return hook.HeartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT_SECONDS;
}

async function describeHooks(groupName: string): Promise<LifecycleHook[]> {
  const answer = await callAws('DescribeLifecycleHooks', () =>
    autoScaling.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: groupName })),
  );
  return answer.LifecycleHooks ?? [];
}

/**
 * A warm pool holds instances launched from the launch template version of their time, and a scale-out
 * takes them first: after the shift, production would grow with the old AMI
 * (docs/aws-facts/auto-scaling-warm-pools.md). Refused: the group must run without one.
 */
export async function warmPoolProblems(groups: readonly AutoScalingGroup[]): Promise<string[]> {
  const problems: string[] = [];
  for (const group of groups) {
    const name = group.AutoScalingGroupName ?? '';
    const answer = await callAws('DescribeWarmPool', () =>
      autoScaling.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: name })),
    );
    if (!answer.WarmPoolConfiguration) continue;
    problems.push(
      `${name} has a warm pool, whose instances keep the AMI they were launched with and are the first a ` +
        `scale-out takes, so the old version would come back after the shift. Delete it: aws autoscaling ` +
        `delete-warm-pool --auto-scaling-group-name ${name} --force-delete`,
    );
  }
  return problems;
}

/**
 * Processes an interrupted deployment suspended on the serving group and recorded there: not a reason to
 * refuse (this deployment resumes them when it finishes or rolls back), but said, so that an operator learns
 * production ran without them.
 */
export function leftoverProcessNotes(active: AutoScalingGroup | undefined): string[] {
  const left = active ? suspendedByDeployment(active) : [];
  if (!active || left.length === 0) return [];
  return [
    `${active.AutoScalingGroupName ?? ''} still has ${left.join(', ')} suspended by an interrupted deployment; ` +
      `this deployment resumes them as it launches the new version`,
  ];
}
