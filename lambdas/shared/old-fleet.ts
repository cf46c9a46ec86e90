import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { capacityOf, instancesIn, updateCapacity } from './aws/auto-scaling';
import { resumeSuspendedByDeployment } from './aws/deployment-processes';
import { NotReadyError } from './errors';
import type { Capacity } from './settings/fields';

/**
 * Not ready while any of the old fleet's instances is still entering Standby (draining): resizing the
 * group now would launch replacements for them, or scale them in mid-drain. `afterwards` says what happens
 * once they reach Standby.
 */
export function requireNoneEnteringStandby(group: AutoScalingGroup, afterwards: string): void {
  const entering = instancesIn(group, 'EnteringStandby').length;
  if (entering > 0) {
    throw new NotReadyError(
      `${entering} instance${entering === 1 ? ' is' : 's are'} of ${group.AutoScalingGroupName} still entering Standby (draining); ${afterwards}`,
    );
  }
}

/**
 * Sets the sizes `sizes` gives from the group's described ones, once `exitedStandby` instances have left
 * Standby. ExitStandby raised desired capacity by that many, so the described sizes are stale then and
 * the sizes are always set; otherwise only when they differ (a repeated run changes nothing, I6).
 */
export async function resizeAfterStandby(
  group: AutoScalingGroup,
  exitedStandby: number,
  sizes: (described: Capacity) => Partial<Capacity>,
): Promise<void> {
  const described = capacityOf(group);
  const wanted = sizes(described);
  // Only the sizes given are sent: one left out keeps whatever value the group has by then.
  const differs = (['min', 'desired', 'max'] as const).some(
    (size) => wanted[size] !== undefined && described[size] !== wanted[size],
  );
  if (exitedStandby > 0 || differs) await updateCapacity(group.AutoScalingGroupName ?? '', wanted);
}

/**
 * Resumes the processes enter-standby suspended on the old fleet (recorded on the group); a process the
 * team suspended is left as found.
 */
export async function resumeOldFleetProcesses(group: AutoScalingGroup): Promise<void> {
  await resumeSuspendedByDeployment(group);
}

/** The old fleet's instances: serving, and parked or on their way there. */
export function fleetOf(group: AutoScalingGroup): { serving: number; parked: number } {
  return {
    serving: instancesIn(group, 'InService').length,
    parked: instancesIn(group, 'Standby', 'EnteringStandby').length,
  };
}

/**
 * How many of the old fleet parked make a gradual shift's `share` percent of it (docs/design.md#gradual-shift):
 * the park and the wait after it count it alike.
 */
export function parkedForShare(group: AutoScalingGroup, share: number): number {
  const { serving, parked } = fleetOf(group);
  return Math.round((share / 100) * (serving + parked));
}
