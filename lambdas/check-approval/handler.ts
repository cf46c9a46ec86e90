import { OPERATOR_REQUEST_TAG, operatorRequestOf } from '../shared/aws/auto-scaling';
import { defineHandler } from '../shared/handler';
import { describeForWait } from '../shared/operator-request';
import { evaluateWait, waitClock, type WaitState } from '../shared/wait';
import { InputSchema, type Input } from './input';

/**
 * The approval gate's check (docs/design.md#approval-gate): done once an operator tagged the new group
 * `approve`; an operator's `rollback` request fails it (the abort: production untouched). Unanswered when
 * the time is up, it fails the wait (`onTimeout: abort`) or lets the deployment go on (`continue`), saying
 * so. The launch cleared any request left by an earlier deployment, so an answer seen here is for this one.
 * Read-only.
 */
async function run(input: Input): Promise<WaitState> {
  const group = await describeForWait(
    input.groupName,
    input.groupName,
    'approval to shift production traffic',
  );
  const approved = operatorRequestOf(group) === 'approve';
  const waited = waitClock(input.wait);
  const minutes = Math.floor(waited.elapsedSeconds / 60);
  if (!approved && input.onTimeout === 'continue' && waited.elapsedSeconds >= input.timeoutSeconds) {
    return {
      ...waited,
      done: true,
      detail: `no approval after ${minutes} minutes: going on without it, as approval.onTimeout says (continue)`,
    };
  }
  return evaluateWait('approval to shift production traffic', input.wait, input.timeoutSeconds, {
    done: approved,
    detail: approved
      ? `approved by an operator (tag ${OPERATOR_REQUEST_TAG}=approve on ${input.groupName})`
      : `no answer after ${minutes} of ${Math.floor(input.timeoutSeconds / 60)} minutes: approve by tagging ${input.groupName} ${OPERATOR_REQUEST_TAG}=approve (npm run ops -- approve)`,
  });
}

export const handler = defineHandler('check-approval', InputSchema, run);
