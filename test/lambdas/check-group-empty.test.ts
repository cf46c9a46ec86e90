import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/check-group-empty/handler';
import { createHarness, type Harness } from '../support/account';

let h: Harness;
const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

/** Green runs `count` instances (MinSize 0), attached to nothing. */
function green(count: number): void {
  h = createHarness({
    customize: (env) => Object.assign(env.groups.green, { min: 0, desired: count, max: 300 }),
  });
}

/** The owner sets green's desired capacity; the account runs `seconds`. */
async function scaleTo(desired: number, seconds = 1): Promise<void> {
  await h.asg.send(
    new SetDesiredCapacityCommand({ AutoScalingGroupName: h.green, DesiredCapacity: desired }),
  );
  h.run(seconds);
  h.forgetCalls();
}

const poll = (startedAt: string | null, timeoutSeconds = 900) =>
  handler({ groupName: 'webapp-green', wait: { startedAt }, timeoutSeconds });

afterEach(() => h.dispose());

describe('check-group-empty', () => {
  it('the first check stamps the start and counts what is left per state', async () => {
    green(3);
    await scaleTo(1);
    await expect(poll(null)).resolves.toEqual({
      startedAt: secondsAgo(0),
      done: false,
      elapsedSeconds: 0,
      detail: '3 instances left in webapp-green (2 Terminating, 1 InService); desired capacity is 1, not 0',
    });
    expect(h.inputs('DescribeAutoScalingGroups')).toEqual([
      expect.objectContaining({ AutoScalingGroupNames: ['webapp-green'] }),
    ]);
  });

  it('is done when only Terminated instances remain', async () => {
    green(4);
    await scaleTo(0);
    h.until(() => h.idsIn(h.green, 'Terminated').length === 4);
    await expect(poll(secondsAgo(60))).resolves.toMatchObject({
      done: true,
      elapsedSeconds: 60,
      startedAt: secondsAgo(60),
      detail: 'webapp-green has no instances left',
    });
  });

  it('is done for a group with no instances at all', async () => {
    green(0);
    await expect(poll(null)).resolves.toMatchObject({ done: true });
  });

  it('throws WaitTimeoutError with what is left once the deadline has passed', async () => {
    green(1);
    await scaleTo(0);
    const failure = poll(secondsAgo(900), 900);
    await expect(failure).rejects.toMatchObject({ name: 'WaitTimeoutError' });
    await expect(failure).rejects.toThrow(
      /webapp-green to empty after 900 s: 1 instance left in webapp-green \(1 Terminating\)/,
    );
  });

  it('keeps waiting just before the deadline, and reports done even after it', async () => {
    green(1);
    await scaleTo(0);
    await expect(poll(secondsAgo(899), 900)).resolves.toMatchObject({ done: false, elapsedSeconds: 899 });
    h.until(() => h.group(h.green).instances.length === 0);
    await expect(poll(secondsAgo(5_000), 900)).resolves.toMatchObject({ done: true });
  });

  it('points out Standby instances and a desired capacity above zero, which keep the group from emptying', async () => {
    green(2);
    await h.enterStandby(h.green);
    h.until(() => h.idsIn(h.green, 'Standby').length === 2);
    await scaleTo(1);
    const state = await poll(null);
    expect(state.done).toBe(false);
    expect(state.detail).toBe(
      '3 instances left in webapp-green (2 Standby, 1 Pending); Standby instances are not terminated by scale-in; desired capacity is 1, not 0',
    );
  });

  it('I7: 250 instances give a constant-size detail without instance ids', async () => {
    green(250);
    await scaleTo(50);
    const state = await poll(null);
    expect(state.detail).toBe(
      '250 instances left in webapp-green (200 Terminating, 50 InService); desired capacity is 50, not 0',
    );
    expect(state.detail).not.toMatch(/i-/);
  });

  it('I6: checking twice with the same wait state gives the same answer and only reads', async () => {
    green(1);
    await scaleTo(0);
    const first = await poll(secondsAgo(30));
    const second = await poll(secondsAgo(30));
    expect(second).toEqual(first);
    expect(h.applied.map((call) => call.operation)).toEqual([
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:DescribeAutoScalingGroups',
    ]);
  });

  it('a missing group is InconsistentAccountError', async () => {
    green(0);
    await expect(
      handler({ groupName: 'webapp-purple', wait: { startedAt: null }, timeoutSeconds: 900 }),
    ).rejects.toMatchObject({ name: 'InconsistentAccountError' });
  });

  it('rejects an input without the wait state before any AWS call', async () => {
    green(0);
    await expect(handler({ groupName: 'webapp-green', timeoutSeconds: 900 })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('wait'),
    });
    expect(h.account.apiCalls.total).toBe(0);
  });
});
