import { CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/check-approval/handler';
import { OPERATOR_REQUEST_TAG, type OperatorRequest } from '../../lambdas/shared/contract';
import { createHarness, rejection, type Harness } from '../support/account';

/** The approval gate's check (docs/design.md#approval-gate): the operator's answer is a tag on the new group. */
let h: Harness;
beforeEach(() => (h = createHarness()));
afterEach(() => h.dispose());

const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const check = (onTimeout: 'abort' | 'continue', startedAt: string | null = null) =>
  handler({ groupName: h.green, onTimeout, wait: { startedAt }, timeoutSeconds: 600 });
const answer = (value: OperatorRequest) =>
  h.asg.send(
    new CreateOrUpdateTagsCommand({
      Tags: [
        {
          ResourceId: h.green,
          ResourceType: 'auto-scaling-group',
          Key: OPERATOR_REQUEST_TAG,
          Value: value,
          PropagateAtLaunch: false,
        },
      ],
    }),
  );

describe('check-approval', () => {
  it('waits, saying how to approve, until an operator tags the new group approve', async () => {
    const waiting = await check('abort');
    expect(waiting).toMatchObject({ done: false, elapsedSeconds: 0 });
    expect(waiting.detail).toContain(`${OPERATOR_REQUEST_TAG}=approve`);

    await answer('approve');
    await expect(check('abort', waiting.startedAt)).resolves.toMatchObject({
      done: true,
      detail: expect.stringContaining('approved by an operator'),
    });
    // The operator's answer is the only change: the check reads.
    expect(h.changes()).toEqual(['CreateOrUpdateTags']);
  });

  it("an operator's rollback request rejects it: RollbackRequestedError, which the prepare phase aborts on", async () => {
    await answer('rollback');
    const error = await rejection(check('continue'));
    expect(error.name).toBe('RollbackRequestedError');
    expect(error.message).toMatch(/while waiting for approval to shift production traffic/);
  });

  it('a promote request (meant for the rollback window) is no approval', async () => {
    await answer('promote');
    await expect(check('abort')).resolves.toMatchObject({ done: false });
  });

  it('unanswered in time: gives up (onTimeout abort) or goes on without it (continue), saying so', async () => {
    const error = await rejection(check('abort', secondsAgo(600)));
    expect(error.name).toBe('WaitTimeoutError');
    expect(error.message).toMatch(/approval to shift production traffic after 600 s/);

    await expect(check('continue', secondsAgo(600))).resolves.toMatchObject({
      done: true,
      detail: expect.stringContaining('going on without it'),
    });
    // Answered at the last moment: the answer wins over the timeout.
    await answer('approve');
    await expect(check('abort', secondsAgo(600))).resolves.toMatchObject({ done: true });
  });
});
