import { DescribeTrafficSourcesCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/check-target-groups-detached/handler';
import {
  asgMock,
  awsError,
  freshAccount,
  MAIN_TG,
  mutatingCallCount,
  SYNTHETIC_TG,
  tgArn,
  thrown,
  type FakeAccount,
} from './traffic-fakes';

const BLUE = 'webapp-blue';
const NOW = Date.parse('2030-01-01T12:00:00.000Z');
const BOTH = [MAIN_TG, SYNTHETIC_TG];
let account: FakeAccount;

function input(wait: { startedAt: string | null } = { startedAt: null }, timeoutSeconds = 900) {
  return { groupName: BLUE, targetGroupArns: BOTH, wait, timeoutSeconds };
}

beforeEach(() => {
  account = freshAccount();
  account.addGroup({ name: BLUE });
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] }).setSystemTime(NOW);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('check-target-groups-detached', () => {
  it('is done when the group has left every target group (Removed or gone)', async () => {
    account.group(BLUE).trafficSources.push({ arn: MAIN_TG, state: 'Removed' });

    const output = await handler(input());

    expect(output).toEqual({
      startedAt: new Date(NOW).toISOString(),
      done: true,
      elapsedSeconds: 0,
      detail: 'webapp-blue has left webapp-main, webapp-synthetic',
    });
    expect(asgMock).toHaveReceivedCommandWith(DescribeTrafficSourcesCommand, {
      AutoScalingGroupName: BLUE,
      TrafficSourceType: 'elbv2',
    });
    expect(mutatingCallCount()).toBe(0);
  });

  it('waits while a target group is still Removing, and names it', async () => {
    account
      .group(BLUE)
      .trafficSources.push({ arn: MAIN_TG, state: 'Removing' }, { arn: SYNTHETIC_TG, state: 'Removed' });

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('webapp-blue still draining from webapp-main');
  });

  it('waits, and says so, when a target group was never detached', async () => {
    account.group(BLUE).trafficSources.push({ arn: SYNTHETIC_TG, state: 'InService' });

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toContain('still attached to webapp-synthetic (InService)');
    expect(output.detail).toContain('never detached');
  });

  it('ignores target groups it was not asked about', async () => {
    account.group(BLUE).trafficSources.push({ arn: tgArn(3), state: 'InService' });

    expect((await handler(input())).done).toBe(true);
  });

  it('I7: reads every page before judging', async () => {
    account.trafficSourcePageSize = 2;
    account
      .group(BLUE)
      .trafficSources.push(
        { arn: tgArn(1), state: 'InService' },
        { arn: tgArn(2), state: 'InService' },
        { arn: tgArn(3), state: 'InService' },
        { arn: tgArn(4), state: 'InService' },
        { arn: MAIN_TG, state: 'Removing' },
      );

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(asgMock).toHaveReceivedCommandTimes(DescribeTrafficSourcesCommand, 3);
  });

  it('keeps the loop’s start time and counts from it', async () => {
    account.group(BLUE).trafficSources.push({ arn: MAIN_TG, state: 'Removing' });
    const startedAt = new Date(NOW - 120_000).toISOString();

    const output = await handler(input({ startedAt }));

    expect(output).toMatchObject({ startedAt, elapsedSeconds: 120, done: false });
  });

  it('throws WaitTimeoutError with the progress once the deadline has passed', async () => {
    account.group(BLUE).trafficSources.push({ arn: MAIN_TG, state: 'Removing' });
    const startedAt = new Date(NOW - 900_000).toISOString();

    const error = await thrown(handler(input({ startedAt }, 900)));

    expect(error.name).toBe('WaitTimeoutError');
    expect(error.message).toContain('after 900 s');
    expect(error.message).toContain('still draining from webapp-main');
  });

  it('does not time out when the condition holds at the deadline', async () => {
    const startedAt = new Date(NOW - 5_000_000).toISOString();

    expect((await handler(input({ startedAt }, 900))).done).toBe(true);
  });

  it.each([
    {
      what: 'no wait state',
      input: { groupName: BLUE, targetGroupArns: BOTH, timeoutSeconds: 900 },
      field: 'wait',
    },
    {
      what: 'no timeout',
      input: { groupName: BLUE, targetGroupArns: BOTH, wait: { startedAt: null } },
      field: 'timeoutSeconds',
    },
    {
      what: 'a zero timeout',
      input: { groupName: BLUE, targetGroupArns: BOTH, wait: { startedAt: null }, timeoutSeconds: 0 },
      field: 'timeoutSeconds',
    },
  ])('rejects $what (naming $field) before any AWS call', async ({ input: bad, field }) => {
    const error = await thrown(handler(bad));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
    expect(asgMock.calls()).toHaveLength(0);
  });

  it('maps throttling to TransientAwsError', async () => {
    asgMock.on(DescribeTrafficSourcesCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    expect((await thrown(handler(input()))).name).toBe('TransientAwsError');
  });
});
