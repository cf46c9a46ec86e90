import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  type AutoScalingGroup,
  type Instance,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../lambdas/check-instances-in-service/handler';
import { logger } from '../../lambdas/shared/logger';

const autoScaling = mockClient(AutoScalingClient);

const NOW = Date.parse('2025-01-01T10:00:00.000Z');
const secondsAgo = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
let serial = 0;

function instances(
  count: number,
  state: string,
  version: string | undefined,
  health: 'Healthy' | 'Unhealthy' = 'Healthy',
): Instance[] {
  return Array.from({ length: count }, () => ({
    InstanceId: `i-${String((serial += 1)).padStart(17, '0')}`,
    LifecycleState: state as Instance['LifecycleState'],
    HealthStatus: health,
    AvailabilityZone: 'us-east-1a',
    ProtectedFromScaleIn: false,
    ...(version !== undefined && {
      LaunchTemplate: {
        LaunchTemplateId: 'lt-0abc1234def567890',
        LaunchTemplateName: 'webapp-green',
        Version: version,
      },
    }),
  }));
}

function givenGroup(members: Instance[]): void {
  const group: AutoScalingGroup = {
    AutoScalingGroupName: 'webapp-green',
    MinSize: 3,
    DesiredCapacity: 3,
    MaxSize: 300,
    Instances: members,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a'],
    HealthCheckType: 'ELB',
    CreatedTime: new Date('2024-01-01T00:00:00Z'),
  };
  autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
}

const poll = (desiredCapacity: number, startedAt: string | null = null, timeoutSeconds = 1_200) =>
  handler({
    groupName: 'webapp-green',
    launchTemplateVersion: 7,
    desiredCapacity,
    wait: { startedAt },
    timeoutSeconds,
  });

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  autoScaling.reset();
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }).setSystemTime(NOW);
});
afterEach(() => jest.useRealTimers());

describe('check-instances-in-service', () => {
  it('is not done while fewer than desired are InService and healthy on the version; stamps the start', async () => {
    givenGroup([...instances(2, 'InService', '7'), ...instances(1, 'Pending', '7')]);
    await expect(poll(3)).resolves.toEqual({
      startedAt: new Date(NOW).toISOString(),
      done: false,
      elapsedSeconds: 0,
      detail: '2 of 3 instances in service on launch template version 7',
    });
    expect(autoScaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      AutoScalingGroupNames: ['webapp-green'],
    });
  });

  it('is done when desired instances are InService and healthy on the version', async () => {
    givenGroup(instances(3, 'InService', '7'));
    await expect(poll(3, secondsAgo(120))).resolves.toMatchObject({
      done: true,
      elapsedSeconds: 120,
      detail: '3 of 3 instances in service on launch template version 7',
    });
  });

  it('does not count InService instances that the group marks Unhealthy', async () => {
    givenGroup([...instances(2, 'InService', '7'), ...instances(1, 'InService', '7', 'Unhealthy')]);
    await expect(poll(3)).resolves.toMatchObject({
      done: false,
      detail: '2 of 3 instances in service on launch template version 7 (1 InService but unhealthy)',
    });
  });

  it('I2: is not done while an InService instance still runs another version, even with enough new ones', async () => {
    givenGroup([...instances(3, 'InService', '7'), ...instances(1, 'InService', '6')]);
    await expect(poll(3)).resolves.toMatchObject({
      done: false,
      detail:
        '3 of 3 instances in service on launch template version 7 (1 InService instance on another version)',
    });
  });

  it('treats an instance without launch template information as another version', async () => {
    givenGroup([...instances(3, 'InService', '7'), ...instances(1, 'InService', undefined)]);
    await expect(poll(3)).resolves.toMatchObject({ done: false });
  });

  it('ignores old-version instances that are already on their way out', async () => {
    givenGroup([
      ...instances(3, 'InService', '7'),
      ...instances(2, 'Terminating', '6'),
      ...instances(1, 'Terminated', '6'),
    ]);
    await expect(poll(3)).resolves.toMatchObject({ done: true });
  });

  it('compares the version as the number it is ("7", not "$Latest" or "17")', async () => {
    givenGroup([...instances(3, 'InService', '17'), ...instances(3, 'InService', '$Latest')]);
    await expect(poll(3)).resolves.toMatchObject({ done: false, detail: expect.stringMatching(/^0 of 3/) });
  });

  it('throws WaitTimeoutError with the progress once the deadline has passed', async () => {
    givenGroup(instances(1, 'InService', '7'));
    const failure = poll(3, secondsAgo(1_200), 1_200);
    await expect(failure).rejects.toMatchObject({ name: 'WaitTimeoutError' });
    await expect(failure).rejects.toThrow(
      /3 instances of webapp-green in service on launch template version 7 after 1200 s: 1 of 3 instances/,
    );
  });

  it('I7: 250 instances give a constant-size state without instance ids', async () => {
    givenGroup([...instances(248, 'InService', '7'), ...instances(2, 'Pending', '7')]);
    const state = await poll(250);
    expect(state).toMatchObject({
      done: false,
      detail: '248 of 250 instances in service on launch template version 7',
    });
    expect(JSON.stringify(state)).not.toMatch(/i-\d/);
  });

  it('I6: checking twice with the same wait state gives the same answer and only reads', async () => {
    givenGroup(instances(2, 'InService', '7'));
    const first = await poll(3, secondsAgo(30));
    const second = await poll(3, secondsAgo(30));
    expect(second).toEqual(first);
    expect(
      autoScaling.calls().every((call) => call.args[0] instanceof DescribeAutoScalingGroupsCommand),
    ).toBe(true);
  });

  it('maps throttling to TransientAwsError', async () => {
    autoScaling
      .on(DescribeAutoScalingGroupsCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      );
    await expect(poll(3)).rejects.toMatchObject({ name: 'TransientAwsError' });
  });

  it('rejects a version that is not a number before any AWS call', async () => {
    await expect(
      handler({
        groupName: 'webapp-green',
        launchTemplateVersion: '$Latest',
        desiredCapacity: 3,
        wait: { startedAt: null },
        timeoutSeconds: 60,
      }),
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('launchTemplateVersion'),
    });
    expect(autoScaling.calls()).toHaveLength(0);
  });
});
