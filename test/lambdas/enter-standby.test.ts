import {
  DescribeAutoScalingGroupsCommand,
  EnterStandbyCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { handler } from '../../lambdas/enter-standby/handler';
import { OLD_FLEET_SUSPENDED_PROCESSES } from '../../lambdas/shared/aws/auto-scaling';
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
  instanceBatches,
  mutationOrder,
} from './traffic-fakes';

const BLUE = 'webapp-blue';
const INPUT = { groupName: BLUE, mainTargetGroupArn: MAIN_TG };
let account: FakeAccount;

/** The shifted state: blue (old) and green (new) both InService and healthy in the main target group. */
function shifted(blueCount: number, min = 1): void {
  account.addGroup({
    name: BLUE,
    min,
    desired: blueCount,
    max: Math.max(blueCount, 4),
    instances: { InService: ids('blue', blueCount) },
  });
  account.setHealth(MAIN_TG, ids('blue', blueCount), 'healthy');
  account.setHealth(MAIN_TG, ids('green', 3), 'healthy');
}

/** Order in which the handler sent its mutating commands, by command name. */

beforeEach(() => {
  account = freshAccount();
});

describe('enter-standby', () => {
  it('suspends the old fleet’s processes, lowers MinSize to 0, then parks its InService instances', async () => {
    shifted(3);

    const output = await handler(INPUT);

    expect(output).toEqual({ groupName: BLUE, movedToStandby: 3 });
    expect(mutationOrder()).toEqual([
      'SuspendProcessesCommand',
      'UpdateAutoScalingGroupCommand',
      'EnterStandbyCommand',
    ]);
    expect(asgMock).toHaveReceivedCommandWith(SuspendProcessesCommand, {
      AutoScalingGroupName: BLUE,
      ScalingProcesses: OLD_FLEET_SUSPENDED_PROCESSES,
    });
    // Only MinSize: desired and max stay as they are so that nothing launches or terminates.
    expect(asgMock.commandCalls(UpdateAutoScalingGroupCommand)[0].args[0].input).toEqual({
      AutoScalingGroupName: BLUE,
      MinSize: 0,
    });
    expect(asgMock).toHaveReceivedCommandWith(EnterStandbyCommand, {
      AutoScalingGroupName: BLUE,
      InstanceIds: ids('blue', 3),
      ShouldDecrementDesiredCapacity: true,
    });
    expect(account.countIn(BLUE, 'EnteringStandby')).toBe(3);
    expect(account.group(BLUE).desired).toBe(0);
  });

  it('I3: never suspends Launch (it would block ExitStandby, the rollback path)', async () => {
    shifted(2);

    await handler(INPUT);

    for (const call of asgMock.commandCalls(SuspendProcessesCommand)) {
      expect(call.args[0].input.ScalingProcesses).not.toContain('Launch');
    }
    expect(account.group(BLUE).suspended.has('Launch')).toBe(false);
  });

  it('I3: refuses, changing nothing, when Launch is already suspended on the old fleet', async () => {
    shifted(2);
    account.group(BLUE).suspended.add('Launch');

    const error = await thrown(handler(INPUT));

    expect(error.name).toBe('UnsafeOperationError');
    expect(error.message).toContain('Launch');
    expect(mutatingCallCount()).toBe(0);
  });

  it('I1: refuses to park the fleet when no target outside it is healthy in the main target group', async () => {
    shifted(3);
    account.setHealth(MAIN_TG, ids('green', 3), 'initial');

    const error = await thrown(handler(INPUT));

    expect(error.name).toBe('UnsafeOperationError');
    expect(error.message).toContain('webapp-main has no healthy target outside webapp-blue');
    expect(mutatingCallCount()).toBe(0);
  });

  it('I1: refuses when the old fleet is the only thing registered', async () => {
    account.addGroup({ name: BLUE, min: 1, instances: { InService: ids('blue', 2) } });
    account.setHealth(MAIN_TG, ids('blue', 2), 'healthy');

    expect((await thrown(handler(INPUT))).name).toBe('UnsafeOperationError');
    expect(mutatingCallCount()).toBe(0);
  });

  it('I1: a healthy target of this group that is no longer InService still does not count as “elsewhere”', async () => {
    account.addGroup({
      name: BLUE,
      min: 0,
      instances: { InService: ids('blue', 1), Pending: ids('blue', 1, 1) },
    });
    account.setHealth(MAIN_TG, ids('blue', 2), 'healthy');

    expect((await thrown(handler(INPUT))).name).toBe('UnsafeOperationError');
  });

  it('I6: a second run finds nothing InService and changes nothing (while draining and after)', async () => {
    shifted(3);
    await handler(INPUT);
    const afterFirst = mutatingCallCount();

    expect(await handler(INPUT)).toEqual({ groupName: BLUE, movedToStandby: 0 });
    account.settle();
    expect(await handler(INPUT)).toEqual({ groupName: BLUE, movedToStandby: 0 });

    expect(mutatingCallCount()).toBe(afterFirst);
    // The finished work is not re-judged: the old fleet is parked, its health no longer matters.
    expect(elbMock).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 1);
  });

  it('skips the suspend and MinSize calls a previous, interrupted run already made', async () => {
    shifted(2, 0);
    for (const process of OLD_FLEET_SUSPENDED_PROCESSES) account.group(BLUE).suspended.add(process);

    const output = await handler(INPUT);

    expect(output.movedToStandby).toBe(2);
    expect(mutationOrder()).toEqual(['EnterStandbyCommand']);
  });

  it('suspends only the processes not already suspended', async () => {
    shifted(1);
    account.group(BLUE).suspended.add('AZRebalance');

    await handler(INPUT);

    expect(asgMock).toHaveReceivedCommandWith(SuspendProcessesCommand, {
      ScalingProcesses: OLD_FLEET_SUSPENDED_PROCESSES.filter((p) => p !== 'AZRebalance'),
    });
  });

  it.each([
    [1, 1],
    [20, 1],
    [21, 2],
    [250, 13],
  ])('I7: %i instances go out in %i EnterStandby calls of at most 20', async (count, calls) => {
    shifted(count);

    const output = await handler(INPUT);

    expect(output).toEqual({ groupName: BLUE, movedToStandby: count });
    const batches = instanceBatches(EnterStandbyCommand);
    expect(batches).toHaveLength(calls);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(20);
    expect(batches.flat()).toEqual(ids('blue', count));
    expect(account.countIn(BLUE, 'EnteringStandby')).toBe(count);
    expect(asgMock).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
  });

  it('parks only InService instances', async () => {
    account.addGroup({
      name: BLUE,
      min: 0,
      instances: {
        InService: ids('blue', 2),
        EnteringStandby: ids('blue', 1, 2),
        Standby: ids('blue', 1, 3),
      },
    });
    account.setHealth(MAIN_TG, ids('green', 2), 'healthy');

    const output = await handler(INPUT);

    expect(output.movedToStandby).toBe(2);
    expect(instanceBatches(EnterStandbyCommand)).toEqual([ids('blue', 2)]);
  });

  it('maps a rejected EnterStandby to AwsRequestError carrying AWS’s reason', async () => {
    shifted(2);
    const reason =
      'AutoScalingGroup webapp-blue has min-size=1, max-size=1, and desired-size=1. To place into standby 1 instance, please update the AutoScalingGroup sizes appropriately.';
    asgMock.on(EnterStandbyCommand).rejects(awsError('ValidationError', reason));

    const error = await thrown(handler(INPUT));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain(`EnterStandby failed: ValidationError: ${reason}`);
  });

  it('I6: an EnterStandby that AWS applied but whose answer was lost is retried, not failed (NotReadyError)', async () => {
    // The SDK retries a timed-out call; the retry finds the instance already on its way to Standby.
    shifted(2);
    asgMock
      .on(EnterStandbyCommand)
      .rejects(awsError('ValidationError', 'The instance i-blue-0000 is not in InService.'));

    const error = await thrown(handler(INPUT));

    expect(error.name).toBe('NotReadyError');
    expect(error.message).toContain('The instance i-blue-0000 is not in InService.');
  });

  it('maps Auto Scaling throttling to TransientAwsError', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    expect((await thrown(handler(INPUT))).name).toBe('TransientAwsError');
  });

  it('I8: a malformed target group ARN is rejected before any AWS call', async () => {
    const error = await thrown(handler({ groupName: BLUE, mainTargetGroupArn: 'webapp-main' }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain('mainTargetGroupArn');
    expect(asgMock.calls()).toHaveLength(0);
    expect(elbMock.calls()).toHaveLength(0);
  });
});
