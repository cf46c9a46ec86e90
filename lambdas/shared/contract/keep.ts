/**
 * What the operator-request tag (tags.ts) asks while a fleet is kept (docs/design.md#keeping-fleets):
 * `undo` puts the kept old fleet back in service (a `rollback` there asks the same); `release` ends a keep
 * now.
 */
export const KEEP_REQUESTS = ['undo', 'release'] as const;
export type KeepRequest = (typeof KEEP_REQUESTS)[number];

/** The kept fleets' waits, as the definition names them and the CLI finds a running keep by them. */
export const KEEP_STATES = {
  /** The phase (a Parallel state) between the rollback window and the finish. */
  oldFleet: 'Keep old fleet for undo',
  /** Its polling loop: `<name>`, `<name>: check`, `: done?`, `: pause`. */
  oldFleetWait: 'Keep old fleet in Standby for undo',
  /** The failed new fleet's waits, in the abort and in the rollback. */
  failedFleetAfterAbort: 'Abort: keep new fleet detached for debugging',
  failedFleetAfterRollback: 'Rollback: keep new fleet detached for debugging',
} as const;
