import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { handler } from '../../lambdas/check-targets-healthy/handler';
import {
  asgMock,
  awsError,
  elbMock,
  freshAccount,
  ids,
  MAIN_TG,
  mutatingCallCount,
  thrown,
  type FakeAccount,
} from './traffic-fakes';

const GREEN = 'webapp-green';
const NOW = Date.parse('2030-01-01T12:00:00.000Z');
let account: FakeAccount;

function input(wait: { startedAt: string | null } = { startedAt: null }, timeoutSeconds = 600) {
  return { groupName: GREEN, targetGroupArn: MAIN_TG, wait, timeoutSeconds };
}

beforeEach(() => {
  account = freshAccount();
  account.setHealth(MAIN_TG, [], 'healthy');
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] }).setSystemTime(NOW);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('check-targets-healthy', () => {
  it('is done when every InService instance is healthy and there are as many as desired', async () => {
    account.addGroup({ name: GREEN, desired: 3, instances: { InService: ids('green', 3) } });
    account.setHealth(MAIN_TG, ids('green', 3), 'healthy');

    const output = await handler(input());

    expect(output).toEqual({
      startedAt: new Date(NOW).toISOString(),
      done: true,
      elapsedSeconds: 0,
      detail: '3 of 3 targets of webapp-green healthy in webapp-main',
    });
    expect(elbMock).toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: MAIN_TG });
    expect(mutatingCallCount()).toBe(0);
  });

  it('waits while a target is still in its initial health checks, and says how many are healthy', async () => {
    account.addGroup({ name: GREEN, desired: 3, instances: { InService: ids('green', 3) } });
    account.setHealth(MAIN_TG, ids('green', 2), 'healthy');
    account.setHealth(MAIN_TG, ids('green', 1, 2), 'initial');

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('2 of 3 targets of webapp-green healthy in webapp-main (1 initial)');
  });

  it('counts an InService instance that is not registered in the target group as not healthy', async () => {
    account.addGroup({ name: GREEN, desired: 2, instances: { InService: ids('green', 2) } });
    account.setHealth(MAIN_TG, ids('green', 1), 'healthy');

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('1 of 2 targets of webapp-green healthy in webapp-main (1 not registered)');
  });

  it('I1: waits until as many instances as desired are InService, even if those present are healthy', async () => {
    account.addGroup({
      name: GREEN,
      desired: 3,
      instances: { InService: ids('green', 2), Pending: ids('green', 1, 2) },
    });
    account.setHealth(MAIN_TG, ids('green', 3), 'healthy');

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe(
      '2 of 3 targets of webapp-green healthy in webapp-main; 2 of 3 instances InService',
    );
  });

  it('I1: an empty group is never done (there would be nobody to serve)', async () => {
    account.addGroup({ name: GREEN, desired: 0 });

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe(
      '0 of 1 targets of webapp-green healthy in webapp-main; 0 of 1 instances InService',
    );
    expect(elbMock).not.toHaveReceivedCommand(DescribeTargetHealthCommand);
  });

  it('does not count healthy targets of other groups', async () => {
    account.addGroup({ name: GREEN, desired: 2, instances: { InService: ids('green', 2) } });
    account.setHealth(MAIN_TG, ids('blue', 6), 'healthy');
    account.setHealth(MAIN_TG, ids('green', 2), 'unhealthy');

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('0 of 2 targets of webapp-green healthy in webapp-main (2 unhealthy)');
  });

  it('I7: judges 250 instances with one describe of each kind and a constant-size answer', async () => {
    account.addGroup({ name: GREEN, desired: 250, max: 250, instances: { InService: ids('green', 250) } });
    account.setHealth(MAIN_TG, ids('green', 250), 'healthy');

    const output = await handler(input());

    expect(output.done).toBe(true);
    expect(Object.keys(output).sort()).toEqual(['detail', 'done', 'elapsedSeconds', 'startedAt']);
    expect(output.detail).toBe('250 of 250 targets of webapp-green healthy in webapp-main');
    expect(asgMock).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
    expect(elbMock).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 1);
  });

  it('throws WaitTimeoutError with the progress once the deadline has passed', async () => {
    account.addGroup({ name: GREEN, desired: 2, instances: { InService: ids('green', 2) } });
    account.setHealth(MAIN_TG, ids('green', 2), 'unhealthy');

    const error = await thrown(handler(input({ startedAt: new Date(NOW - 601_000).toISOString() }, 600)));

    expect(error.name).toBe('WaitTimeoutError');
    expect(error.message).toContain('0 of 2 targets of webapp-green healthy in webapp-main (2 unhealthy)');
  });

  it('reports a target group that does not exist as AwsRequestError', async () => {
    account.addGroup({ name: GREEN, desired: 1, instances: { InService: ids('green', 1) } });
    account.health.delete(MAIN_TG);

    const error = await thrown(handler(input()));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('TargetGroupNotFound');
  });

  it('reports a group that does not exist as InconsistentAccountError naming it', async () => {
    const error = await thrown(handler(input()));

    expect(error.name).toBe('InconsistentAccountError');
    expect(error.message).toContain('webapp-green');
  });

  it('maps ELB throttling to TransientAwsError', async () => {
    account.addGroup({ name: GREEN, desired: 1, instances: { InService: ids('green', 1) } });
    elbMock.on(DescribeTargetHealthCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    expect((await thrown(handler(input()))).name).toBe('TransientAwsError');
  });

  it('rejects a target group name given instead of its ARN before any AWS call', async () => {
    const error = await thrown(handler({ ...input(), targetGroupArn: 'webapp-main' }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain('targetGroupArn');
    expect(asgMock.calls()).toHaveLength(0);
    expect(elbMock.calls()).toHaveLength(0);
  });
});
