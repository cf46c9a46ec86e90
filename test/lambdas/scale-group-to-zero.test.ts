import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../lambdas/scale-group-to-zero/handler';
import { logger } from '../../lambdas/shared/logger';

const autoScaling = mockClient(AutoScalingClient);

/** One group whose sizes change when UpdateAutoScalingGroup is called, as in the account. */
function givenGroup(name: string, min: number, desired: number, max: number): AutoScalingGroup {
  const group: AutoScalingGroup = {
    AutoScalingGroupName: name,
    MinSize: min,
    DesiredCapacity: desired,
    MaxSize: max,
    Instances: [],
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a'],
    HealthCheckType: 'ELB',
    CreatedTime: new Date('2024-01-01T00:00:00Z'),
  };
  autoScaling
    .on(DescribeAutoScalingGroupsCommand)
    .callsFake((input: { AutoScalingGroupNames?: string[] }) => ({
      AutoScalingGroups: input.AutoScalingGroupNames?.includes(name) ? [structuredClone(group)] : [],
    }));
  autoScaling.on(UpdateAutoScalingGroupCommand).callsFake((input: UpdateAutoScalingGroupCommandInput) => {
    group.MinSize = input.MinSize ?? group.MinSize;
    group.DesiredCapacity = input.DesiredCapacity ?? group.DesiredCapacity;
    group.MaxSize = input.MaxSize ?? group.MaxSize;
    return {};
  });
  return group;
}

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => autoScaling.reset());

describe('scale-group-to-zero', () => {
  it('sets min and desired to 0, leaves max alone, and reports the previous sizes', async () => {
    const group = givenGroup('webapp-green', 2, 3, 6);

    await expect(handler({ groupName: 'webapp-green' })).resolves.toEqual({
      groupName: 'webapp-green',
      previousCapacity: { min: 2, desired: 3, max: 6 },
    });

    expect(autoScaling).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    expect(autoScaling).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'webapp-green',
      MinSize: 0,
      DesiredCapacity: 0,
    });
    const update = autoScaling.commandCalls(UpdateAutoScalingGroupCommand)[0]!.args[0].input;
    expect(update.MaxSize).toBeUndefined();
    expect(update.LaunchTemplate).toBeUndefined();
    expect(group).toMatchObject({ MinSize: 0, DesiredCapacity: 0, MaxSize: 6 });
  });

  it('lowers min even when desired is already 0 (desired cannot stay below min)', async () => {
    givenGroup('webapp-green', 1, 0, 4);
    await handler({ groupName: 'webapp-green' });
    expect(autoScaling).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      MinSize: 0,
      DesiredCapacity: 0,
    });
  });

  it('I6: a second run makes no mutating call and leaves the group at zero', async () => {
    const group = givenGroup('webapp-green', 2, 3, 6);
    await handler({ groupName: 'webapp-green' });
    autoScaling.resetHistory();

    const second = await handler({ groupName: 'webapp-green' });

    expect(autoScaling).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
    expect(second).toEqual({ groupName: 'webapp-green', previousCapacity: { min: 0, desired: 0, max: 6 } });
    expect(group).toMatchObject({ MinSize: 0, DesiredCapacity: 0, MaxSize: 6 });
  });

  it('skips the update for a group that is already at 0/0', async () => {
    givenGroup('webapp-green', 0, 0, 4);
    await handler({ groupName: 'webapp-green' });
    expect(autoScaling).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
    expect(autoScaling).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
  });

  it('a missing group is InconsistentAccountError and nothing is updated', async () => {
    givenGroup('webapp-green', 1, 1, 1);
    await expect(handler({ groupName: 'webapp-purple' })).rejects.toMatchObject({
      name: 'InconsistentAccountError',
      message: expect.stringContaining('webapp-purple'),
    });
    expect(autoScaling).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
  });

  it('maps contention and throttling to TransientAwsError, a validation error to AwsRequestError', async () => {
    givenGroup('webapp-green', 1, 1, 1);
    autoScaling
      .on(UpdateAutoScalingGroupCommand)
      .rejectsOnce(awsError('ResourceContention', 'You already have a pending update', 500))
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejectsOnce(
        awsError('ValidationError', 'Desired capacity:0 must be between the specified min size:1'),
      );

    await expect(handler({ groupName: 'webapp-green' })).rejects.toMatchObject({ name: 'TransientAwsError' });
    await expect(handler({ groupName: 'webapp-green' })).rejects.toMatchObject({ name: 'TransientAwsError' });
    await expect(handler({ groupName: 'webapp-green' })).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringContaining('UpdateAutoScalingGroup failed: ValidationError'),
    });
  });

  it('rejects an input without a group name before any AWS call', async () => {
    await expect(handler({ group: 'webapp-green' })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(autoScaling.calls()).toHaveLength(0);
  });
});
