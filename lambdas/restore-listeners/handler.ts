import { describeGroup } from '../shared/aws/auto-scaling';
import { resumeSuspendedByDeployment } from '../shared/aws/deployment-processes';
import { describeListener, forwardsTo, setDefaultActions } from '../shared/aws/elb';
import { defineHandler } from '../shared/handler';
import { resendable, sameActions } from '../shared/listener-weights';
import { logger } from '../shared/logger';
import { InputSchema, type Input } from './input';

export interface Output {
  /** Listeners whose default actions this run set back: 0 on a repeated run (I6). */
  restored: number;
  /** Listeners left as found: gone, or changed by someone else since the shift weighted them. */
  leftAsFound: string[];
  /** Processes of the new group the shift held, resumed now. */
  resumedProcesses: string[];
}

/**
 * Sets each production listener's default actions back to exactly what the shift's plan recorded, after a
 * shift by weight (docs/design.md#gradual-shift): at its end, once the old fleet is parked and the main
 * target group holds only the new version, or first thing in a rollback, which returns the old version's
 * share to it before anything else. Only a listener the shift still weights (its default action forwards
 * to the synthetic target group) is set back: one already as recorded, or changed by an operator since
 * (during a long window, say), is left as found. Then the new group's scaling, held while the weights
 * moved, is resumed.
 */
async function run(input: Input): Promise<Output> {
  let restored = 0;
  const leftAsFound: string[] = [];
  for (const listener of input.listeners) {
    const now = await describeListener(listener.listenerArn);
    const current = now?.DefaultActions ?? [];
    if (now && sameActions(current, listener.defaultActions)) continue;
    const added = forwardsTo(current).filter((arn) => !forwardsTo(listener.defaultActions).includes(arn));
    if (!now || added.length === 0) {
      logger.warn('Listener left as found: gone, or changed since the shift weighted it', {
        listenerArn: listener.listenerArn,
      });
      leftAsFound.push(listener.listenerArn);
      continue;
    }
    await setDefaultActions(listener.listenerArn, resendable(listener.defaultActions));
    restored += 1;
  }
  const resumedProcesses = await resumeSuspendedByDeployment(await describeGroup(input.groupName));
  return { restored, leftAsFound, resumedProcesses };
}

export const handler = defineHandler('restore-listeners', InputSchema, run);
