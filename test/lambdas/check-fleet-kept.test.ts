import { CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/check-fleet-kept/handler';
import { ADMISSION_STATES, OPERATOR_REQUEST_TAG } from '../../lambdas/shared/contract';
import { LISTING_LAG_MS } from '../../simulator/account/step-functions';
import { createHarness, STATE_MACHINE_ARN, type Harness } from '../support/account';

/** The wait of a kept fleet (issue 12, items 5 and 7), against the simulated account. */
let h: Harness;
const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const OWN = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:this-one`;

const check = (startedAt: string | null, purpose: 'undo' | 'debug' = 'undo', own: string = OWN) =>
  handler({
    requestGroup: 'webapp-green',
    keptGroup: purpose === 'undo' ? 'webapp-blue' : 'webapp-green',
    purpose,
    keepSeconds: 600,
    execution: { id: own, stateMachineArn: STATE_MACHINE_ARN },
    wait: { startedAt },
  });

async function tag(value: string): Promise<void> {
  await h.asg.send(
    new CreateOrUpdateTagsCommand({
      Tags: [
        {
          ResourceId: 'webapp-green',
          ResourceType: 'auto-scaling-group',
          Key: OPERATOR_REQUEST_TAG,
          Value: value,
          PropagateAtLaunch: false,
        },
      ],
    }),
  );
  h.forgetCalls();
}

const NOW = Date.UTC(2026, 0, 5, 9);
beforeEach(() => (h = createHarness({ now: NOW })));

/** Green runs 3 instances, as a failed new fleet kept for debugging does. */
function greenRunning(): void {
  h.dispose();
  h = createHarness({
    now: NOW,
    customize: (env) => Object.assign(env.groups.green, { min: 0, desired: 3, max: 6 }),
  });
  h.run(120);
}
afterEach(() => h.dispose());

describe('check-fleet-kept', () => {
  it('keeps the fleet until the keep is over, saying until when and how to undo, and changes nothing', async () => {
    await expect(check(null)).resolves.toEqual({
      startedAt: secondsAgo(0),
      done: false,
      elapsedSeconds: 0,
      detail: `webapp-blue kept until ${new Date(Date.now() + 600_000).toISOString()} (undo: npm run ops -- undo, or tag webapp-green ${OPERATOR_REQUEST_TAG}=undo)`,
    });
    await expect(check(secondsAgo(600))).resolves.toMatchObject({
      done: true,
      detail: 'webapp-blue was kept 10 min',
    });
    expect(h.changes()).toEqual([]);
  });

  it.each(['undo', 'rollback'])(
    'an operator’s %s on the new group, while the old fleet is kept, is an undo (UndoRequestedError)',
    async (request) => {
      await tag(request);
      await expect(check(secondsAgo(30))).rejects.toMatchObject({
        name: 'UndoRequestedError',
        message: expect.stringContaining(`${OPERATOR_REQUEST_TAG}=${request} on webapp-green`),
      });
    },
  );

  it('a failed fleet kept for debugging ignores undo and rollback: only its time or a release ends it', async () => {
    greenRunning();
    await tag('rollback');
    await expect(check(secondsAgo(30), 'debug')).resolves.toMatchObject({
      done: false,
      detail: expect.stringContaining(`end it now: tag webapp-green ${OPERATOR_REQUEST_TAG}=release`),
    });
    await tag('release');
    await expect(check(secondsAgo(30), 'debug')).resolves.toMatchObject({
      done: true,
      detail: `an operator released webapp-green (tag ${OPERATOR_REQUEST_TAG}=release) after 30 s`,
    });
  });

  it('a promote (made to end the window early) ends no keep: the kept old fleet is the undo’s safety net', async () => {
    await tag('promote');
    await expect(check(secondsAgo(30))).resolves.toMatchObject({ done: false });
    greenRunning();
    await tag('promote');
    await expect(check(secondsAgo(30), 'debug')).resolves.toMatchObject({ done: false });
  });

  it('ends the keep when another execution waits its turn behind it, not for one merely running', async () => {
    const own = h.stepFunctions.start({ amiId: 'ami-0a1b2c3d4e5f60002' }, 'this-one');
    h.clock.tick(LISTING_LAG_MS + 1_000);
    await expect(check(secondsAgo(30), 'undo', own.arn)).resolves.toMatchObject({ done: false });

    // Another application's AMI, looking at its tags: it will not deploy, and leaves the keep alone.
    const newer = h.stepFunctions.start({ amiId: 'ami-0a1b2c3d4e5f60003' }, 'newer-release');
    const enter = (name: string) =>
      newer.history.push({
        id: newer.history.length + 1,
        timestamp: new Date(),
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name },
      });
    enter("Wait for the AMI's tags: check");
    h.clock.tick(LISTING_LAG_MS + 1_000);
    await expect(check(secondsAgo(30), 'undo', own.arn)).resolves.toMatchObject({ done: false });

    // A release queued behind this one: a newer deployment never waits for a kept fleet.
    enter(`${ADMISSION_STATES.guard.waitForTurn}: check`);
    await expect(check(secondsAgo(30), 'undo', own.arn)).resolves.toMatchObject({
      done: true,
      detail: 'a newer deployment (newer-release) is waiting: webapp-blue is kept no longer',
    });
  });

  it('an undo asked for wins over a newer deployment waiting', async () => {
    h.stepFunctions.start({ amiId: 'ami-0a1b2c3d4e5f60003' }, 'newer-release');
    h.clock.tick(LISTING_LAG_MS + 1_000);
    await tag('undo');
    await expect(check(secondsAgo(30))).rejects.toMatchObject({ name: 'UndoRequestedError' });
  });

  it('keeps nothing for debugging when the failed group has no instance (an abort before the launch)', async () => {
    // The default account's green group is the standby group, empty.
    await expect(check(secondsAgo(0), 'debug')).resolves.toMatchObject({
      done: true,
      detail: 'webapp-green has no instance to keep',
    });
  });

  it('refuses a keep longer than the setting allows (a malformed payload)', async () => {
    await expect(
      handler({
        requestGroup: 'webapp-green',
        keptGroup: 'webapp-blue',
        purpose: 'undo',
        keepSeconds: 999_999,
        execution: { id: OWN, stateMachineArn: STATE_MACHINE_ARN },
        wait: { startedAt: null },
      }),
    ).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});
