import { handler as inStandby } from '../../lambdas/check-instances-in-standby/handler';
import { handler as targetsHealthy } from '../../lambdas/check-targets-healthy/handler';
import { OPERATOR_REQUEST_TAG } from '../../lambdas/shared/contract';
import { createHarness, rejection, type Harness } from '../support/account';

/** Issue 12, item 3: a wait's check honours an operator's request on the new group, against the account. */
let h: Harness;
beforeEach(() => (h = createHarness()));
afterEach(() => h.dispose());

const poll = { wait: { startedAt: null }, timeoutSeconds: 600 };

describe('a wait told which group carries the operator request', () => {
  it('stops on a rollback request on the new group while watching the old one, saying where and why', async () => {
    await h.tag(h.green, OPERATOR_REQUEST_TAG, 'rollback');
    h.forgetCalls();
    const error = await rejection(inStandby({ groupName: h.blue, operatorRequestGroup: h.green, ...poll }));
    expect(error.name).toBe('RollbackRequestedError');
    expect(error.message).toBe(
      `An operator asked to stop the deployment (tag ${OPERATOR_REQUEST_TAG}=rollback on webapp-green) ` +
        `while waiting for the instances of webapp-blue to reach Standby.`,
    );
    expect(h.changes()).toEqual([]);
  });

  it('stops on a request on the group it watches', async () => {
    await h.tag(h.blue, OPERATOR_REQUEST_TAG, 'rollback');
    const error = await rejection(
      targetsHealthy({ groupName: h.blue, operatorRequestGroup: h.blue, targetGroupArn: h.main, ...poll }),
    );
    expect(error.name).toBe('RollbackRequestedError');
  });

  it('goes on with a promote request (only the window ends early on it) or no request', async () => {
    await h.tag(h.green, OPERATOR_REQUEST_TAG, 'promote');
    await expect(
      targetsHealthy({ groupName: h.blue, operatorRequestGroup: h.green, targetGroupArn: h.main, ...poll }),
    ).resolves.toMatchObject({ done: true });
  });

  it('ignores the tag when not told to honour it (the wait before the launch, the clean-up waits)', async () => {
    await h.tag(h.blue, OPERATOR_REQUEST_TAG, 'rollback');
    await expect(
      targetsHealthy({ groupName: h.blue, targetGroupArn: h.main, ...poll }),
    ).resolves.toMatchObject({ done: true });
  });
});
