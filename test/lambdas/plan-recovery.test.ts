import { handler } from '../../lambdas/plan-recovery/handler';
import { FAILURE_ERRORS, KEY_STATES } from '../../lambdas/shared/contract';
import type { ExecutionSummary } from '../../simulator/account/step-functions';
import { LISTING_LAG_MS } from '../../simulator/account/step-functions';
import { createHarness, denying, type Harness } from '../support/account';

/** Where a stopped deployment was, and what its recovery resumes (docs/recovery.md). */
let h: Harness;
beforeEach(() => (h = createHarness()));
afterEach(() => h.dispose());

const STATE = { amiId: 'ami-0a1b2c3d4e5f60002', roles: { firstDeployment: false }, settings: {} };

/** A deployment that entered `states` in order, the last with the deployment's state as its input. */
let runs = 0;
function deploymentThrough(...states: string[]): ExecutionSummary {
  const execution = h.stepFunctions.start({ amiId: STATE.amiId }, `deployment-${++runs}`);
  execution.history.push({ id: 1, timestamp: new Date(), type: 'ExecutionStarted' });
  for (const name of states) {
    execution.history.push({
      id: execution.history.length + 1,
      timestamp: new Date(),
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name, input: JSON.stringify(STATE) },
    });
  }
  return execution;
}
const plan = (execution: ExecutionSummary) => handler({ recoverFrom: execution.arn });
const PREPARED = [KEY_STATES.validate, 'Find the active and standby groups', KEY_STATES.prepare];

describe('plan-recovery', () => {
  it.each([
    [
      'stopped while preparing: the abort (production untouched)',
      [...PREPARED, 'Launch new version on standby group'],
      'abort',
    ],
    [
      'stopped after the shift began: the rollback',
      [...PREPARED, KEY_STATES.shiftStarts, KEY_STATES.window],
      'rollback',
    ],
    [
      'stopped while rolling back: the rollback again',
      [...PREPARED, KEY_STATES.shiftStarts, KEY_STATES.rollback, 'Put old fleet back in service'],
      'rollback',
    ],
    [
      'stopped while finishing (the new version proven): the finish',
      [...PREPARED, KEY_STATES.shiftStarts, KEY_STATES.window, KEY_STATES.finish, 'Retire old fleet'],
      'finish',
    ],
  ])('%s', async (_, states, action) => {
    const stopped = deploymentThrough(...states);
    stopped.abort();
    const result = await plan(stopped);
    expect(result).toMatchObject({
      ...STATE,
      recovery: {
        action,
        from: stopped.arn,
        reason: expect.stringContaining(`was stopped in "${states[states.length - 1]}"`),
      },
      failure: { Error: 'DeploymentStopped', Cause: expect.stringContaining(`its ${action} resumed`) },
    });
    expect(h.changes()).toEqual([]);
  });

  it('leaves alone one stopped before changing anything', async () => {
    const stopped = deploymentThrough(KEY_STATES.validate, 'Make sure no other deployment is running');
    stopped.abort();
    await expect(plan(stopped)).resolves.toMatchObject({
      recovery: { action: 'none', skipReason: expect.stringContaining('stopped before changing anything') },
    });
  });

  it('leaves alone one that ended in its own endings, succeeded or still runs', async () => {
    const rolledBack = deploymentThrough(...PREPARED, KEY_STATES.shiftStarts, KEY_STATES.rollback);
    Object.assign(rolledBack, { status: 'FAILED', error: FAILURE_ERRORS.rolledBack });
    await expect(plan(rolledBack)).resolves.toMatchObject({ recovery: { action: 'none' } });
    const running = deploymentThrough(...PREPARED);
    await expect(plan(running)).resolves.toMatchObject({
      recovery: { action: 'none', reason: 'it is still running' },
    });
  });

  it('retries the clean-up of one that failed in it (manual action needed)', async () => {
    const failed = deploymentThrough(
      ...PREPARED,
      KEY_STATES.shiftStarts,
      KEY_STATES.rollback,
      'Report: manual action needed',
    );
    Object.assign(failed, { status: 'FAILED', error: FAILURE_ERRORS.manualAction });
    await expect(plan(failed)).resolves.toMatchObject({ recovery: { action: 'rollback', from: failed.arn } });
  });

  it('hands a recovery that ended before its clean-up began over to the execution it was recovering', async () => {
    const stopped = deploymentThrough(...PREPARED, KEY_STATES.shiftStarts, KEY_STATES.window);
    stopped.abort();
    // Failed, then stopped by an operator, each before the rollback began: neither changed anything.
    const failedRecovery = h.stepFunctions.start({ recoverFrom: stopped.arn, trigger: 'recovery' }, 'r1');
    Object.assign(failedRecovery, { status: 'FAILED', error: 'AwsRequestError' });
    const stoppedRecovery = h.stepFunctions.start(
      { recoverFrom: failedRecovery.arn, trigger: 'recovery' },
      'r2',
    );
    stoppedRecovery.history.push({ id: 1, timestamp: new Date(), type: 'ExecutionStarted' });
    stoppedRecovery.abort();

    const result = await plan(stoppedRecovery);

    expect(result).toMatchObject({
      ...STATE,
      recovery: { action: 'rollback', from: stopped.arn },
      failure: { Error: 'DeploymentStopped' },
    });
    expect(h.changes()).toEqual([]);
  });

  it('finds nothing to recover when an execution started since changed the account, however many ran since', async () => {
    const stopped = deploymentThrough(...PREPARED, KEY_STATES.shiftStarts, KEY_STATES.window);
    stopped.abort();
    h.clock.tick(1_000);
    // The release after it, then 150 executions that changed nothing (other applications' AMI events).
    deploymentThrough(...PREPARED);
    for (let i = 0; i < 150; i++) {
      h.clock.tick(1_000);
      h.stepFunctions.start({ amiId: 'ami-0000000000000f00d' }, `foreign-${i}`);
    }
    h.clock.tick(LISTING_LAG_MS + 1_000);

    await expect(plan(stopped)).resolves.toMatchObject({
      recovery: {
        action: 'none',
        reason: expect.stringMatching(/started since and has changed the account/),
      },
    });
  });

  it('leaves alone one stopped while reporting a clean ending (its clean-up had run)', async () => {
    const stopped = deploymentThrough(
      ...PREPARED,
      KEY_STATES.shiftStarts,
      KEY_STATES.rollback,
      'Report: deployment rolled back',
    );
    stopped.abort();
    await expect(plan(stopped)).resolves.toMatchObject({ recovery: { action: 'none' } });
  });

  it('a history its role may not read is an AwsRequestError naming the call', async () => {
    const stopped = deploymentThrough(...PREPARED);
    stopped.abort();
    await expect(denying(['states:GetExecutionHistory'], () => plan(stopped))).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringContaining('GetExecutionHistory'),
    });
  });
});
