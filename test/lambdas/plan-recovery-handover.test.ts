/**
 * A recovery refused before its clean-up (its guard failed: DeploymentRejected, e.g. its turn's wait timed
 * out or ListExecutions kept failing) is not recovered automatically (its input names recoverFrom); `npm run
 * ops -- recover` (latest: that recovery) must then hand over to the deployment it was recovering, not find
 * "nothing to recover" (a review found the clean-failure check ran before the hand-over).
 */
import { handler } from '../../lambdas/plan-recovery/handler';
import { FAILURE_ERRORS, KEY_STATES } from '../../lambdas/shared/contract';
import { createHarness, type Harness } from '../support/account';

let h: Harness;
beforeEach(() => (h = createHarness()));
afterEach(() => h.dispose());

const STATE = { amiId: 'ami-0a1b2c3d4e5f60002', roles: { firstDeployment: false }, settings: {} };

it('hands a recovery rejected by its guard over to the execution it was recovering', async () => {
  const stopped = h.stepFunctions.start({ amiId: STATE.amiId }, 'deployment-1');
  stopped.history.push({ id: 1, timestamp: new Date(), type: 'ExecutionStarted' });
  for (const name of [KEY_STATES.validate, KEY_STATES.prepare, KEY_STATES.shiftStarts, KEY_STATES.window]) {
    stopped.history.push({
      id: stopped.history.length + 1,
      timestamp: new Date(),
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name, input: JSON.stringify(STATE) },
    });
  }
  stopped.abort();
  const rejected = h.stepFunctions.start({ recoverFrom: stopped.arn, trigger: 'recovery' }, 'r1');
  rejected.history.push({ id: 1, timestamp: new Date(), type: 'ExecutionStarted' });
  for (const name of [
    KEY_STATES.validate,
    'Make sure no other deployment is running',
    'Report: deployment rejected',
  ]) {
    rejected.history.push({
      id: rejected.history.length + 1,
      timestamp: new Date(),
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name, input: '{}' },
    });
  }
  Object.assign(rejected, { status: 'FAILED', error: FAILURE_ERRORS.rejected });

  await expect(handler({ recoverFrom: rejected.arn })).resolves.toMatchObject({
    recovery: { action: 'rollback', from: stopped.arn },
  });
});
