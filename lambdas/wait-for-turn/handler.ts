import { decideAdmission } from '../shared/admission';
import { defineHandler } from '../shared/handler';
import { evaluateWait, type WaitState } from '../shared/wait';
import { InputSchema, type Input } from './input';

/**
 * A request queued behind a running deployment (`whileDeploying: queue-newest`, docs/design.md#newest-wins):
 * done once no deployment runs ahead of it, or once a newer release waiting supersedes it; the guard then
 * looks again, twice, and decides. Past `waits.turn` the request is refused, with the deployment it waited
 * for. Read-only.
 */
async function run(input: Input): Promise<WaitState> {
  const admission = await decideAdmission(input);
  const done = admission.verdict !== 'queued';
  return evaluateWait(
    'the running deployment to end (raise waits.turn.timeoutSeconds to wait longer, or start this deployment again once it has ended)',
    input.wait,
    input.timeoutSeconds,
    {
      done,
      detail: done
        ? 'no deployment runs ahead of this one any more: the guard decides'
        : 'reason' in admission
          ? admission.reason
          : 'a deployment runs',
    },
  );
}

export const handler = defineHandler('wait-for-turn', InputSchema, run);
