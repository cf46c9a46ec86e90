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
} as const;
