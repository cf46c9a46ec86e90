import { describeGroup, instancesOf, OPERATOR_REQUEST_TAG } from '../shared/aws/auto-scaling';
import { runningExecutions } from '../shared/aws/step-functions';
import { UndoRequestedError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { waitClock, type WaitState } from '../shared/wait';
import { InputSchema, type Input } from './input';

/**
 * The wait of a kept fleet (docs/design.md#keeping-fleets): done when the keep's time is up, when an
 * operator releases the fleet (`release` on the new group; `promote` too for the old fleet), or when another execution of the state machine
 * runs (a newer deployment waits for this one: a kept fleet never holds a release back). For the old fleet,
 * an operator's `undo` (or `rollback`) throws UndoRequestedError, which sends the deployment to its
 * rollback: the kept fleet serves again. Read-only, so running it twice changes nothing.
 */
async function run(input: Input): Promise<WaitState> {
  const { startedAt, elapsedSeconds } = waitClock(input.wait);
  const state = (done: boolean, detail: string): WaitState => ({ startedAt, done, elapsedSeconds, detail });
  const group = await describeGroup(input.requestGroup);
  const request = group.Tags?.find((tag) => tag.Key === OPERATOR_REQUEST_TAG)?.Value;
  const kept = input.keptGroup;

  if (input.purpose === 'undo' && (request === 'undo' || request === 'rollback')) {
    throw new UndoRequestedError(
      `An operator asked to undo the deployment (tag ${OPERATOR_REQUEST_TAG}=${request} on ${input.requestGroup}) while ${kept} was kept in Standby.`,
    );
  }
  // `promote` asks to finish now and retire the old fleet (npm run ops -- promote): the keep ends too.
  if (request === 'release' || (input.purpose === 'undo' && request === 'promote')) {
    return state(
      true,
      `an operator released ${kept} (tag ${OPERATOR_REQUEST_TAG}=${request}) after ${elapsedSeconds} s`,
    );
  }
  // An abort before the launch leaves nothing to debug: the keep would only hold the next deployment back.
  const running = instancesOf(group).filter((instance) => instance.LifecycleState !== 'Terminated');
  if (input.purpose === 'debug' && running.length === 0) {
    return state(true, `${kept} has no instance to keep`);
  }
  const newer = (await runningExecutions(input.execution.stateMachineArn)).find(
    (execution) => execution.executionArn !== input.execution.id,
  );
  if (newer) {
    return state(
      true,
      `a newer deployment (${newer.name ?? newer.executionArn}) is waiting: ${kept} is kept no longer`,
    );
  }
  if (elapsedSeconds >= input.keepSeconds) {
    return state(true, `${kept} was kept ${Math.round(input.keepSeconds / 60)} min`);
  }
  const until = new Date(Date.parse(startedAt) + input.keepSeconds * 1000).toISOString();
  const ask =
    input.purpose === 'undo'
      ? `undo: npm run ops -- undo, or tag ${input.requestGroup} ${OPERATOR_REQUEST_TAG}=undo`
      : `end it now: tag ${input.requestGroup} ${OPERATOR_REQUEST_TAG}=release`;
  return state(false, `${kept} kept until ${until} (${ask})`);
}

export const handler = defineHandler('check-fleet-kept', InputSchema, run);
