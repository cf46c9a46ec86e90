import * as z from 'zod/mini';
import '../contract/zod-locale';

/**
 * How long a fleet is kept after its deployment decided (docs/design.md#keeping-fleets): the old fleet in
 * Standby for an instant undo once the window passed, a failed new fleet detached for debugging. 0 keeps
 * nothing (the deployment goes on as without the setting); at most 12 hours, which the history budget
 * counts at one check every KEEP_CHECK_INTERVAL_SECONDS.
 */
export const MAX_KEEP_MINUTES = 720;
export const keepMinutesSchema = z.int().check(z.minimum(0), z.maximum(MAX_KEEP_MINUTES));

/** How often a kept fleet's wait looks for an operator's request and a newer deployment. */
export const KEEP_CHECK_INTERVAL_SECONDS = 60;

/** The keeps' settings as the history budget and the execution timeout read them. */
export interface KeepSettings {
  readonly keepOldFleetMinutes: number;
  readonly keepFailedFleetMinutes: number;
}

/** Checks one keep may run: one when it starts, one per interval, one at its end. */
export function keepPolls(minutes: number): number {
  return minutes === 0 ? 0 : Math.ceil((minutes * 60) / KEEP_CHECK_INTERVAL_SECONDS) + 1;
}

/** Seconds the keeps add to the longest path, both counted: an undo may end in a kept failed fleet. */
export function keepSeconds(s: KeepSettings): number {
  return (s.keepOldFleetMinutes + s.keepFailedFleetMinutes) * 60;
}
