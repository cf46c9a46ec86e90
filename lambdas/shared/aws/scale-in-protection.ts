import { SetInstanceProtectionCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { inBatches } from '../batch';
import { autoScaling, instanceIds, instancesOf } from './auto-scaling';
import { callAws } from './call';

/** SetInstanceProtection takes at most 50 instance IDs per call (docs/aws-facts/auto-scaling-scale-in-protection.md). */
export const MAX_INSTANCES_PER_PROTECTION_CALL = 50;

const GONE = new Set(['Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated']);

/**
 * Lifts scale-in protection from the group's instances that have it, so that a group the deployment empties
 * does empty: Auto Scaling lowers desired capacity but terminates no protected instance
 * (docs/aws-facts/auto-scaling-scale-in-protection.md), and the wait for an empty group would stall.
 * Only instances this deployment retires are touched; a repeated call finds none protected (I6).
 * Returns how many it unprotected.
 */
export async function unprotectFromScaleIn(group: AutoScalingGroup): Promise<number> {
  const protectedIds = instanceIds(
    instancesOf(group).filter(
      (instance) => instance.ProtectedFromScaleIn === true && !GONE.has(instance.LifecycleState ?? ''),
    ),
  );
  await inBatches(protectedIds, MAX_INSTANCES_PER_PROTECTION_CALL, (InstanceIds) =>
    callAws('SetInstanceProtection', () =>
      autoScaling.send(
        new SetInstanceProtectionCommand({
          AutoScalingGroupName: group.AutoScalingGroupName,
          InstanceIds,
          ProtectedFromScaleIn: false,
        }),
      ),
    ),
  );
  return protectedIds.length;
}
