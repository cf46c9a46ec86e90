import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  type AutoScalingGroup,
  type Instance,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../lambdas/check-group-empty/handler';
import { logger } from '../../lambdas/shared/logger';

const autoScaling = mockClient(AutoScalingClient);

const NOW = Date.parse('2025-01-01T10:00:00.000Z');
const secondsAgo = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

function instances(count: number, state: string): Instance[] {
  return Array.from({ length: count }, (_, index) => ({
    InstanceId: `i-${state.slice(0, 3).toLowerCase()}${String(index).padStart(8, '0')}`,
    LifecycleState: state as Instance['LifecycleState'],
    HealthStatus: 'Healthy',
    AvailabilityZone: 'us-east-1a',
    ProtectedFromScaleIn: false,
  }));
}

function givenGroup(members: Instance[], desired = 0): void {
  const group: AutoScalingGroup = {
    AutoScalingGroupName: 'webapp-green',
    MinSize: 0,
    DesiredCapacity: desired,
    MaxSize: 300,
    Instances: members,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a'],
    HealthCheckType: 'ELB',
    CreatedTime: new Date('2024-01-01T00:00:00Z'),
  };
  autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
}

const poll = (startedAt: string | null, timeoutSeconds = 900) =>
  handler({ groupName: 'webapp-green', wait: { startedAt }, timeoutSeconds });

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  autoScaling.reset();
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }).setSystemTime(NOW);
});
afterEach(() => jest.useRealTimers());

describe('check-group-empty', () => {
  it('the first check stamps the start and counts what is left per state', async () => {
    givenGroup([...instances(2, 'Terminating'), ...instances(1, 'InService')]);
    await expect(poll(null)).resolves.toEqual({
      startedAt: new Date(NOW).toISOString(),
      done: false,
      elapsedSeconds: 0,
      detail: '3 instances left in webapp-green (2 Terminating, 1 InService)',
    });
    expect(autoScaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      AutoScalingGroupNames: ['webapp-green'],
    });
  });

  it('is done when only Terminated instances remain', async () => {
    givenGroup(instances(4, 'Terminated'));
    await expect(poll(secondsAgo(60))).resolves.toMatchObject({
      done: true,
      elapsedSeconds: 60,
      startedAt: secondsAgo(60),
      detail: 'webapp-green has no instances left',
    });
  });

  it('is done for a group with no instances at all', async () => {
    givenGroup([]);
    await expect(poll(null)).resolves.toMatchObject({ done: true });
  });

  it('throws WaitTimeoutError with what is left once the deadline has passed', async () => {
    givenGroup(instances(1, 'Terminating:Wait'));
    const failure = poll(secondsAgo(900), 900);
    await expect(failure).rejects.toMatchObject({ name: 'WaitTimeoutError' });
    await expect(failure).rejects.toThrow(
      /webapp-green to empty after 900 s: 1 instance left in webapp-green \(1 Terminating:Wait\)/,
    );
  });

  it('keeps waiting just before the deadline, and reports done even after it', async () => {
    givenGroup(instances(1, 'Terminating'));
    await expect(poll(secondsAgo(899), 900)).resolves.toMatchObject({ done: false, elapsedSeconds: 899 });
    autoScaling.reset();
    givenGroup([]);
    await expect(poll(secondsAgo(5_000), 900)).resolves.toMatchObject({ done: true });
  });

  it('points out Standby instances and a desired capacity above zero, which keep the group from emptying', async () => {
    givenGroup(instances(2, 'Standby'), 1);
    const state = await poll(null);
    expect(state.done).toBe(false);
    expect(state.detail).toBe(
      '2 instances left in webapp-green (2 Standby); Standby instances are not terminated by scale-in; desired capacity is 1, not 0',
    );
  });

  it('I7: 250 instances give a constant-size detail without instance ids', async () => {
    givenGroup([
      ...instances(200, 'Terminating'),
      ...instances(50, 'InService'),
      ...instances(30, 'Terminated'),
    ]);
    const state = await poll(null);
    expect(state.detail).toBe('250 instances left in webapp-green (200 Terminating, 50 InService)');
    expect(state.detail).not.toMatch(/i-/);
  });

  it('I6: checking twice with the same wait state gives the same answer and only reads', async () => {
    givenGroup(instances(1, 'Terminating'));
    const first = await poll(secondsAgo(30));
    const second = await poll(secondsAgo(30));
    expect(second).toEqual(first);
    expect(
      autoScaling.calls().every((call) => call.args[0] instanceof DescribeAutoScalingGroupsCommand),
    ).toBe(true);
  });

  it('a missing group is InconsistentAccountError', async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    await expect(poll(null)).rejects.toMatchObject({ name: 'InconsistentAccountError' });
  });

  it('rejects an input without the wait state before any AWS call', async () => {
    await expect(handler({ groupName: 'webapp-green', timeoutSeconds: 900 })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('wait'),
    });
    expect(autoScaling.calls()).toHaveLength(0);
  });
});
