import {
  DescribeAutoScalingGroupsCommand,
  ExitStandbyCommand,
  ResumeProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/retire-old-fleet/handler';
import { OLD_FLEET_SUSPENDED_PROCESSES } from '../../lambdas/shared/aws/auto-scaling';
import {
  asgMock,
  awsError,
  freshAccount,
  ids,
  MAIN_TG,
  mutatingCallCount,
  SYNTHETIC_TG,
  thrown,
  type FakeAccount,
  instanceBatches,
  mutationOrder,
} from './traffic-fakes';

const BLUE = 'webapp-blue';
let account: FakeAccount;

/** The old fleet after the window and the detach: all in Standby, desired 0, processes suspended. */
function parked(count: number, trafficSources: Record<string, string> = { [MAIN_TG]: 'Removed' }): void {
  account.addGroup({
    name: BLUE,
    min: 0,
    desired: 0,
    max: Math.max(count, 4),
    instances: { Standby: ids('blue', count) },
    suspended: OLD_FLEET_SUSPENDED_PROCESSES,
    trafficSources,
  });
}

beforeEach(() => {
  account = freshAccount();
});

describe('retire-old-fleet', () => {
  it('releases the Standby instances, scales the group to zero, then resumes its processes', async () => {
    parked(3);

    const output = await handler({ groupName: BLUE });

    expect(output).toEqual({ groupName: BLUE, exitedStandby: 3 });
    expect(mutationOrder()).toEqual([
      'ExitStandbyCommand',
      'UpdateAutoScalingGroupCommand',
      'ResumeProcessesCommand',
    ]);
    expect(asgMock).toHaveReceivedCommandWith(ExitStandbyCommand, {
      AutoScalingGroupName: BLUE,
      InstanceIds: ids('blue', 3),
    });
    expect(asgMock.commandCalls(UpdateAutoScalingGroupCommand)[0].args[0].input).toEqual({
      AutoScalingGroupName: BLUE,
      MinSize: 0,
      DesiredCapacity: 0,
    });
    expect(asgMock).toHaveReceivedCommandWith(ResumeProcessesCommand, {
      AutoScalingGroupName: BLUE,
      ScalingProcesses: OLD_FLEET_SUSPENDED_PROCESSES,
    });
    const group = account.group(BLUE);
    expect([group.min, group.desired]).toEqual([0, 0]);
    expect(group.suspended.size).toBe(0);
  });

  it('I4: proceeds when the group is gone from DescribeTrafficSources altogether', async () => {
    parked(2, {});

    expect((await handler({ groupName: BLUE })).exitedStandby).toBe(2);
  });

  it.each(['InService', 'Added', 'Adding', 'Removing'])(
    'I4: refuses, changing nothing, while the group is still attached to a target group (%s)',
    async (state) => {
      parked(3, { [SYNTHETIC_TG]: 'Removed', [MAIN_TG]: state });

      const error = await thrown(handler({ groupName: BLUE }));

      expect(error.name).toBe('UnsafeOperationError');
      expect(error.message).toContain(`still attached to webapp-main (${state})`);
      expect(error.message).toContain('Detach it first');
      expect(mutatingCallCount()).toBe(0);
      expect(account.countIn(BLUE, 'Standby')).toBe(3);
    },
  );

  it('waits (NotReadyError, changing nothing) while instances are still entering Standby', async () => {
    account.addGroup({
      name: BLUE,
      instances: { Standby: ids('blue', 2), EnteringStandby: ids('blue', 1, 2) },
      suspended: OLD_FLEET_SUSPENDED_PROCESSES,
    });

    const error = await thrown(handler({ groupName: BLUE }));

    expect(error.name).toBe('NotReadyError');
    expect(error.message).toContain('1 instance is of webapp-blue still entering Standby');
    expect(mutatingCallCount()).toBe(0);
  });

  it('I6: a second run changes nothing', async () => {
    parked(3);
    await handler({ groupName: BLUE });
    const afterFirst = mutatingCallCount();

    expect(await handler({ groupName: BLUE })).toEqual({ groupName: BLUE, exitedStandby: 0 });
    account.settle(); // the released instances are InService now; desired 0 terminates them
    expect(await handler({ groupName: BLUE })).toEqual({ groupName: BLUE, exitedStandby: 0 });

    expect(mutatingCallCount()).toBe(afterFirst);
  });

  it('I6: a run interrupted after ExitStandby finishes the job on retry', async () => {
    parked(3);
    asgMock
      .on(UpdateAutoScalingGroupCommand)
      .rejectsOnce(awsError('ResourceContention', 'pending update', 500));

    expect((await thrown(handler({ groupName: BLUE }))).name).toBe('TransientAwsError');
    account.install(); // the contention has passed
    const output = await handler({ groupName: BLUE });

    expect(output.exitedStandby).toBe(0);
    const group = account.group(BLUE);
    expect([group.min, group.desired, group.suspended.size]).toEqual([0, 0, 0]);
  });

  it.each([
    [1, 1],
    [20, 1],
    [21, 2],
    [250, 13],
  ])('I7: %i Standby instances leave in %i ExitStandby calls of at most 20', async (count, calls) => {
    parked(count);

    const output = await handler({ groupName: BLUE });

    expect(output).toEqual({ groupName: BLUE, exitedStandby: count });
    const batches = instanceBatches(ExitStandbyCommand);
    expect(batches).toHaveLength(calls);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(20);
    expect(batches.flat()).toEqual(ids('blue', count));
    expect(account.group(BLUE).desired).toBe(0);
    expect(asgMock).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
  });

  it('scales a group with no Standby instance to zero without calling ExitStandby', async () => {
    account.addGroup({ name: BLUE, min: 1, desired: 2, instances: { InService: ids('blue', 2) } });

    const output = await handler({ groupName: BLUE });

    expect(output.exitedStandby).toBe(0);
    expect(asgMock).not.toHaveReceivedCommand(ExitStandbyCommand);
    expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      MinSize: 0,
      DesiredCapacity: 0,
    });
    expect(asgMock).not.toHaveReceivedCommand(ResumeProcessesCommand);
  });

  it('maps a rejected ExitStandby to AwsRequestError carrying AWS’s reason', async () => {
    parked(2);
    asgMock.on(ExitStandbyCommand).rejects(awsError('ValidationError', 'The Launch process is suspended.'));

    const error = await thrown(handler({ groupName: BLUE }));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('ExitStandby failed: ValidationError: The Launch process is suspended.');
  });

  it('I8: an empty group name is rejected before any AWS call', async () => {
    const error = await thrown(handler({ groupName: '' }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain('groupName');
    expect(asgMock.calls()).toHaveLength(0);
  });
});
