import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/check-instances-in-standby/handler';
import { createHarness, rejection, type Harness, type HarnessOptions } from '../support/account';

let h: Harness;

function input(wait: { startedAt: string | null } = { startedAt: null }, timeoutSeconds = 900) {
  return { groupName: h.blue, wait, timeoutSeconds };
}

/** Blue with `count` instances in service, MinSize 0 (as enter-standby leaves it). */
function account(count: number, options: HarnessOptions = {}): void {
  h = createHarness({ instances: count, ...options, customize: (env) => (env.groups.blue.min = 0) });
}

/** The owner puts `standby` instances in Standby (drained), then `entering` more (still draining). */
async function parked(standby: number, entering = 0): Promise<void> {
  const ids = h.idsIn(h.blue, 'InService');
  await h.enterStandby(h.blue, ids.slice(0, standby));
  if (standby > 0) h.run(h.environment.mainTargetGroup.deregistrationDelaySeconds + 5);
  await h.enterStandby(h.blue, ids.slice(standby, standby + entering));
  h.forgetCalls();
}

const now = () => new Date(Date.now()).toISOString();

afterEach(() => h.dispose());

describe('check-instances-in-standby', () => {
  it('is done when every instance of the group is in Standby', async () => {
    account(3);
    await parked(3);

    const output = await handler(input());

    expect(output).toEqual({
      startedAt: now(),
      done: true,
      elapsedSeconds: 0,
      detail: '3 of 3 instances of webapp-blue in Standby',
    });
    expect(h.inputs('DescribeAutoScalingGroups')).toEqual([
      expect.objectContaining({ AutoScalingGroupNames: [h.blue] }),
    ]);
    expect(h.changes()).toEqual([]);
  });

  it('waits while instances are still draining (EnteringStandby)', async () => {
    account(6);
    await parked(4, 2);

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('4 of 6 instances of webapp-blue in Standby (2 still draining)');
  });

  it('is done once the draining instances reach Standby', async () => {
    account(2);
    await parked(0, 2);
    expect((await handler(input())).done).toBe(false);

    h.run(h.environment.mainTargetGroup.deregistrationDelaySeconds + 5);

    expect((await handler(input())).done).toBe(true);
  });

  it('waits, and says so, when an instance is not on its way to Standby', async () => {
    account(3);
    await parked(2);
    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 2 }));
    h.run(1);

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe(
      '2 of 4 instances of webapp-blue in Standby; not on their way to Standby: 1 InService, 1 Pending',
    );
  });

  it('I7: answers for 250 instances in one describe with a constant-size result', async () => {
    account(250);
    await parked(240, 10);

    const output = await handler(input());

    expect(Object.keys(output).sort()).toEqual(['detail', 'done', 'elapsedSeconds', 'startedAt']);
    expect(output.detail).toBe('240 of 250 instances of webapp-blue in Standby (10 still draining)');
    expect(h.inputs('DescribeAutoScalingGroups')).toHaveLength(1);
  });

  it('keeps the loop’s start time across checks', async () => {
    account(1);
    await parked(0, 1);
    const first = await handler(input());

    h.run(10);
    const second = await handler(input({ startedAt: first.startedAt }));

    expect(second).toMatchObject({ startedAt: first.startedAt, elapsedSeconds: 10, done: false });
  });

  it('throws WaitTimeoutError with the progress once the deadline has passed', async () => {
    account(2);
    const startedAt = now();
    await parked(1);
    h.run(900);
    await parked(0, 1);

    const error = await rejection(handler(input({ startedAt }, 900)));

    expect(error.name).toBe('WaitTimeoutError');
    expect(error.message).toContain('1 of 2 instances of webapp-blue in Standby (1 still draining)');
  });

  it('reports a group that does not exist as InconsistentAccountError', async () => {
    account(1);

    expect((await rejection(handler({ ...input(), groupName: 'webapp-nope' }))).name).toBe(
      'InconsistentAccountError',
    );
  });

  it('maps throttling to TransientAwsError', async () => {
    account(1, { faults: { throttleProbability: 1 } });

    expect((await rejection(handler(input()))).name).toBe('TransientAwsError');
  });

  it('rejects a wait state without startedAt before any AWS call', async () => {
    account(1);

    const error = await rejection(handler({ groupName: h.blue, wait: {}, timeoutSeconds: 900 }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain('wait.startedAt');
    expect(h.account.apiCalls.total).toBe(0);
  });
});
