import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/check-instances-in-standby/handler';
import {
  asgMock,
  awsError,
  freshAccount,
  ids,
  mutatingCallCount,
  thrown,
  type FakeAccount,
} from './traffic-fakes';

const BLUE = 'webapp-blue';
const NOW = Date.parse('2030-01-01T12:00:00.000Z');
let account: FakeAccount;

function input(wait: { startedAt: string | null } = { startedAt: null }, timeoutSeconds = 900) {
  return { groupName: BLUE, wait, timeoutSeconds };
}

beforeEach(() => {
  account = freshAccount();
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] }).setSystemTime(NOW);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('check-instances-in-standby', () => {
  it('is done when every instance of the group is in Standby', async () => {
    account.addGroup({ name: BLUE, instances: { Standby: ids('blue', 3) } });

    const output = await handler(input());

    expect(output).toEqual({
      startedAt: new Date(NOW).toISOString(),
      done: true,
      elapsedSeconds: 0,
      detail: '3 of 3 instances of webapp-blue in Standby',
    });
    expect(asgMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      AutoScalingGroupNames: [BLUE],
    });
    expect(mutatingCallCount()).toBe(0);
  });

  it('waits while instances are still draining (EnteringStandby)', async () => {
    account.addGroup({
      name: BLUE,
      instances: { Standby: ids('blue', 4), EnteringStandby: ids('blue', 2, 4) },
    });

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('4 of 6 instances of webapp-blue in Standby (2 still draining)');
  });

  it('is done once the draining instances reach Standby', async () => {
    account.addGroup({ name: BLUE, instances: { EnteringStandby: ids('blue', 2) } });
    expect((await handler(input())).done).toBe(false);

    account.settle();

    expect((await handler(input())).done).toBe(true);
  });

  it('waits, and says so, when an instance is not on its way to Standby', async () => {
    account.addGroup({
      name: BLUE,
      instances: { Standby: ids('blue', 2), InService: ids('blue', 1, 2), Pending: ids('blue', 1, 3) },
    });

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe(
      '2 of 4 instances of webapp-blue in Standby; not on their way to Standby: 1 InService, 1 Pending',
    );
  });

  it('I7: answers for 250 instances in one describe with a constant-size result', async () => {
    account.addGroup({
      name: BLUE,
      instances: { Standby: ids('blue', 240), EnteringStandby: ids('blue', 10, 240) },
    });

    const output = await handler(input());

    expect(Object.keys(output).sort()).toEqual(['detail', 'done', 'elapsedSeconds', 'startedAt']);
    expect(output.detail).toBe('240 of 250 instances of webapp-blue in Standby (10 still draining)');
    expect(asgMock).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
  });

  it('keeps the loop’s start time across checks', async () => {
    account.addGroup({ name: BLUE, instances: { EnteringStandby: ids('blue', 1) } });
    const first = await handler(input());

    jest.setSystemTime(NOW + 30_000);
    const second = await handler(input({ startedAt: first.startedAt }));

    expect(second).toMatchObject({ startedAt: first.startedAt, elapsedSeconds: 30, done: false });
  });

  it('throws WaitTimeoutError with the progress once the deadline has passed', async () => {
    account.addGroup({
      name: BLUE,
      instances: { Standby: ids('blue', 1), EnteringStandby: ids('blue', 1, 1) },
    });

    jest.setSystemTime(NOW + 900_000);
    const error = await thrown(handler(input({ startedAt: new Date(NOW).toISOString() }, 900)));

    expect(error.name).toBe('WaitTimeoutError');
    expect(error.message).toContain('1 of 2 instances of webapp-blue in Standby (1 still draining)');
  });

  it('reports a group that does not exist as InconsistentAccountError', async () => {
    expect((await thrown(handler(input()))).name).toBe('InconsistentAccountError');
  });

  it('maps throttling to TransientAwsError', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    expect((await thrown(handler(input()))).name).toBe('TransientAwsError');
  });

  it('rejects a wait state without startedAt before any AWS call', async () => {
    const error = await thrown(handler({ groupName: BLUE, wait: {}, timeoutSeconds: 900 }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain('wait.startedAt');
    expect(asgMock.calls()).toHaveLength(0);
  });
});
