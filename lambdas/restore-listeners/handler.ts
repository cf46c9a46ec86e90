import { describeListener, setDefaultActions } from '../shared/aws/elb';
import { defineHandler } from '../shared/handler';
import { sameActions } from '../shared/listener-weights';
import { logger } from '../shared/logger';
import { InputSchema, type Input } from './input';

export interface Output {
  /** Listeners whose default actions this run set back: 0 on a repeated run (I6). */
  restored: number;
  /** Listeners that no longer exist: nothing to restore there. */
  gone: string[];
}

/**
 * Sets each production listener's default actions back to exactly what the shift's plan recorded, after a
 * shift by weight (docs/design.md#gradual-shift): at its end, once the old fleet is parked and the main
 * target group holds only the new version, or first thing in a rollback, which returns the old version's
 * share to it before anything else. A listener already as recorded is left alone.
 */
async function run(input: Input): Promise<Output> {
  let restored = 0;
  const gone: string[] = [];
  for (const listener of input.listeners) {
    const now = await describeListener(listener.listenerArn);
    if (!now) {
      logger.warn('Listener to restore no longer exists', { listenerArn: listener.listenerArn });
      gone.push(listener.listenerArn);
      continue;
    }
    if (sameActions(now.DefaultActions ?? [], listener.defaultActions)) continue;
    await setDefaultActions(listener.listenerArn, listener.defaultActions);
    restored += 1;
  }
  return { restored, gone };
}

export const handler = defineHandler('restore-listeners', InputSchema, run);
