/**
 * States whose names others rely on: the simulator's invariant monitor tells the phases of a run apart by
 * them, and operators stop or inspect executions at them. The definition names its states with these.
 */
export const KEY_STATES = {
  validate: 'Validate deployment request',
  /** Production traffic may reach the new version from here on. */
  shiftStarts: 'Attach new group to main target group',
  window: 'Monitor new version during rollback window',
  rollback: 'Roll back to the old version',
  finish: 'Finish deployment',
  /** Waits an operator request can stop before the shift (abort) and after it (roll back). */
  newInstancesInService: 'Wait until new instances are in service',
  syntheticTargetsHealthy: 'Wait until new targets are healthy in synthetic target group',
  oldFleetInStandby: 'Wait until old fleet is in standby',
} as const;

/** The pause of a wait's polling loop (state-machine/polling.ts): where a wait spends its time. */
export function pauseOf(wait: string): string {
  return `${wait}: pause`;
}
