import { describeGroup, instancesOf, OPERATOR_REQUEST_TAG } from '../shared/aws/auto-scaling';
import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import { runningExecutions, whereIs } from '../shared/aws/step-functions';
import { ADMISSION_STATES } from '../shared/contract';
import { UndoRequestedError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { waitClock, type WaitState } from '../shared/wait';
import { InputSchema, type Input } from './input';

/**
 * The wait of a kept fleet (docs/design.md#keeping-fleets): done when the keep's time is up, when an
 * operator releases the fleet (`release` on the new group), or when another execution of the state machine
 * waits for its turn (a release or a recovery queued behind this one: a kept fleet never holds one back).
 * Executions that will not deploy (another application's AMI, a refused request, a recovery with nothing
 * to do) never wait there, so they leave the keep alone; nor does a `promote` made in the window. For the old fleet,
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
  if (request === 'release') {
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
  const newer = await waitingForTurn(input.execution.stateMachineArn, input.execution.id);
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

/** Another execution queued behind this one (in the queue's wait), if any. */
async function waitingForTurn(stateMachineArn: string, self: string): Promise<ExecutionListItem | undefined> {
  for (const execution of await runningExecutions(stateMachineArn)) {
    if (!execution.executionArn || execution.executionArn === self) continue;
    const { state } = await whereIs(execution.executionArn);
    if (state?.startsWith(ADMISSION_STATES.guard.waitForTurn)) return execution;
  }
  return undefined;
}

export const handler = defineHandler('check-fleet-kept', InputSchema, run);
