import * as z from 'zod/mini';
import './contract/zod-locale';
import { WaitTimeoutError } from './errors';

/**
 * The contract of every polling loop (state-machine/polling.ts): the loop resets `$.wait` to
 * `{ startedAt: null }`, then calls a check step with `{ …, wait: $.wait, timeoutSeconds }` and stores its
 * result in `$.wait`; a Choice loops until `done`. The first check stamps `startedAt`, so the deadline is
 * measured from the first check (the local engine has no `$$.State.EnteredTime`).
 */
export const waitInputSchema = z.object({
  startedAt: z.nullable(z.string()),
});

export const pollInputShape = {
  wait: waitInputSchema,
  timeoutSeconds: z.int().check(z.positive()),
};

export interface WaitState {
  startedAt: string;
  done: boolean;
  elapsedSeconds: number;
  /** Progress in plain words, shown in the console's state output. */
  detail: string;
}

export interface Condition {
  done: boolean;
  detail: string;
}

/** The loop's clock: when it started (stamped on the first check) and how long it has run. */
export function waitClock(
  wait: z.infer<typeof waitInputSchema>,
  now: number = Date.now(),
): { startedAt: string; elapsedSeconds: number } {
  const startedAt = wait.startedAt ?? new Date(now).toISOString();
  return { startedAt, elapsedSeconds: Math.max(0, Math.floor((now - Date.parse(startedAt)) / 1000)) };
}

/** Returns the loop's next state, or throws WaitTimeoutError when the deadline passed without `done`. */
export function evaluateWait(
  what: string,
  wait: z.infer<typeof waitInputSchema>,
  timeoutSeconds: number,
  condition: Condition,
  now: number = Date.now(),
): WaitState {
  const { startedAt, elapsedSeconds } = waitClock(wait, now);
  if (!condition.done && elapsedSeconds >= timeoutSeconds) {
    throw new WaitTimeoutError(`Gave up waiting for ${what} after ${elapsedSeconds} s: ${condition.detail}`);
  }
  return { startedAt, done: condition.done, elapsedSeconds, detail: condition.detail };
}
