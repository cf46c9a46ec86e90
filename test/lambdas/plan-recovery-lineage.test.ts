/**
 * A deployment X stopped in its window; its automatic recovery R1 entered the rollback and failed
 * there (ManualActionNeeded: not recovered automatically). Once the cause is fixed, an operator runs
 * `npm run ops -- recover --execution X` (docs/recovery.md: "recover is for a recovery that failed"). The
 * account is still half-way: R1, a recovery of X that did not succeed, is X's own clean-up, not a change
 * made since (a review found it counted as one, and the new recovery ended with nothing to recover).
 */
import { handler } from '../../lambdas/plan-recovery/handler';
import { FAILURE_ERRORS, KEY_STATES } from '../../lambdas/shared/contract';
import { createHarness, type Harness } from '../support/account';

let h: Harness;
beforeEach(() => (h = createHarness()));
afterEach(() => h.dispose());

const STATE = { amiId: 'ami-0a1b2c3d4e5f60002', roles: { firstDeployment: false }, settings: {} };

function enter(execution: { history: unknown[] }, names: string[], input: string) {
  const history = execution.history as { id: number; timestamp: Date; type: string }[];
  if (history.length === 0) history.push({ id: 1, timestamp: new Date(), type: 'ExecutionStarted' });
  for (const name of names) {
    (execution.history as unknown[]).push({
      id: history.length + 1,
      timestamp: new Date(),
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name, input },
    });
  }
}

it('recovering X again after its own recovery failed mid-rollback resumes the rollback', async () => {
  const stopped = h.stepFunctions.start({ amiId: STATE.amiId }, 'deployment-1');
  Object.assign(stopped, { startDate: new Date(Date.now() - 3_600_000) });
  enter(
    stopped,
    [KEY_STATES.validate, KEY_STATES.prepare, KEY_STATES.shiftStarts, KEY_STATES.window],
    JSON.stringify(STATE),
  );
  stopped.abort();
  const failed = h.stepFunctions.start({ recoverFrom: stopped.arn, trigger: 'recovery' }, 'r1');
  Object.assign(failed, { startDate: new Date(Date.now() - 1_800_000) });
  enter(
    failed,
    [
      KEY_STATES.validate,
      KEY_STATES.rollback,
      'Put old fleet back in service',
      'Report: clean-up failed, manual action needed',
    ],
    JSON.stringify(STATE),
  );
  Object.assign(failed, { status: 'FAILED', error: FAILURE_ERRORS.manualAction });

  await expect(handler({ recoverFrom: stopped.arn })).resolves.toMatchObject({
    recovery: { action: 'rollback' },
  });
});
