import {
  AttachTrafficSourcesCommand,
  DescribeAutoScalingGroupsCommand,
  ExitStandbyCommand,
  ResumeProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/restore-old-fleet/handler';
import { OLD_FLEET_SUSPENDED_PROCESSES } from '../../lambdas/shared/aws/auto-scaling';
import {
  asgMock,
  awsError,
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
const CAPACITY = { min: 1, desired: 3, max: 6 };
const INPUT = { groupName: BLUE, mainTargetGroupArn: MAIN_TG, capacity: CAPACITY };
let account: FakeAccount;

/** The old fleet during the window: attached to main, all in Standby, desired 0, processes suspended. */
function parked(count: number, mainState: string | null = 'InService', max = 6): void {
  account.addGroup({
    name: BLUE,
    min: 0,
    desired: 0,
    max,
    instances: { Standby: ids('blue', count) },
    suspended: OLD_FLEET_SUSPENDED_PROCESSES,
    trafficSources: mainState ? { [MAIN_TG]: mainState } : {},
  });
}

beforeEach(() => {
  account = freshAccount();
});

describe('restore-old-fleet', () => {
  it('resumes processes, returns the Standby instances to service, then restores the capacity', async () => {
    parked(3);

    const output = await handler(INPUT);

    expect(output).toEqual({ groupName: BLUE, exitedStandby: 3 });
    expect(mutationOrder()).toEqual([
      'ResumeProcessesCommand',
      'ExitStandbyCommand',
      'UpdateAutoScalingGroupCommand',
    ]);
    expect(asgMock).toHaveReceivedCommandWith(ResumeProcessesCommand, {
      AutoScalingGroupName: BLUE,
      ScalingProcesses: OLD_FLEET_SUSPENDED_PROCESSES,
    });
    expect(asgMock).toHaveReceivedCommandWith(ExitStandbyCommand, {
      AutoScalingGroupName: BLUE,
      InstanceIds: ids('blue', 3),
    });
    expect(asgMock.commandCalls(UpdateAutoScalingGroupCommand)[0].args[0].input).toEqual({
      AutoScalingGroupName: BLUE,
      MinSize: 1,
      DesiredCapacity: 3,
      MaxSize: 6,
    });
    expect(asgMock).not.toHaveReceivedCommand(AttachTrafficSourcesCommand);
    const group = account.group(BLUE);
    expect([group.min, group.desired, group.max]).toEqual([1, 3, 6]);
    expect(account.countIn(BLUE, 'Pending')).toBe(3);
  });

  it.each([
    ['gone', null],
    ['Removing', 'Removing'],
    ['Removed', 'Removed'],
  ])(
    'I1: attaches the main target group first when the group has left it (%s), so returning instances register',
    async (_label, state) => {
      parked(2, state);

      await handler(INPUT);

      expect(mutationOrder()[0]).toBe('AttachTrafficSourcesCommand');
      expect(asgMock).toHaveReceivedCommandWith(AttachTrafficSourcesCommand, {
        AutoScalingGroupName: BLUE,
        TrafficSources: [{ Identifier: MAIN_TG, Type: 'elbv2' }],
      });
      expect(mutationOrder().indexOf('ExitStandbyCommand')).toBeGreaterThan(0);
    },
  );

  it('returns the instances already in Standby, then waits (NotReadyError) for those still draining', async () => {
    account.addGroup({
      name: BLUE,
      min: 0,
      desired: 0,
      max: 6,
      instances: { Standby: ids('blue', 2), EnteringStandby: ids('blue', 1, 2) },
      suspended: OLD_FLEET_SUSPENDED_PROCESSES,
      trafficSources: { [MAIN_TG]: 'InService' },
    });

    const error = await thrown(handler(INPUT));

    expect(error.name).toBe('NotReadyError');
    expect(error.message).toContain('1 instance is of webapp-blue still entering Standby');
    expect(instanceBatches(ExitStandbyCommand)).toEqual([ids('blue', 2)]);
    // Restoring desired now would launch a replacement for the draining instance.
    expect(asgMock).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);

    account.settle();
    const output = await handler(INPUT);

    expect(output.exitedStandby).toBe(1);
    expect(instanceBatches(ExitStandbyCommand)).toEqual([ids('blue', 2), ids('blue', 1, 2)]);
    const group = account.group(BLUE);
    expect([group.min, group.desired, group.max]).toEqual([1, 3, 6]);
  });

  it('I6: a second run exits nothing and changes nothing', async () => {
    parked(3);
    await handler(INPUT);
    const afterFirst = mutatingCallCount();

    expect(await handler(INPUT)).toEqual({ groupName: BLUE, exitedStandby: 0 });
    account.settle();
    expect(await handler(INPUT)).toEqual({ groupName: BLUE, exitedStandby: 0 });

    expect(mutatingCallCount()).toBe(afterFirst);
    const group = account.group(BLUE);
    expect([group.min, group.desired, group.max]).toEqual([1, 3, 6]);
  });

  it('re-asserts the capacity when it drifted (e.g. a rollback before the fleet was parked)', async () => {
    account.addGroup({
      name: BLUE,
      min: 0,
      desired: 3,
      max: 6,
      instances: { InService: ids('blue', 3) },
      trafficSources: { [MAIN_TG]: 'InService' },
    });

    const output = await handler(INPUT);

    expect(output.exitedStandby).toBe(0);
    expect(mutationOrder()).toEqual(['UpdateAutoScalingGroupCommand']);
    expect(account.group(BLUE).min).toBe(1);
  });

  it.each([
    [1, 1],
    [20, 1],
    [21, 2],
    [250, 13],
  ])('I7: %i Standby instances return in %i ExitStandby calls of at most 20', async (count, calls) => {
    parked(count, 'InService', count);

    const output = await handler({ ...INPUT, capacity: { min: 1, desired: count, max: count } });

    expect(output).toEqual({ groupName: BLUE, exitedStandby: count });
    const batches = instanceBatches(ExitStandbyCommand);
    expect(batches).toHaveLength(calls);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(20);
    expect(batches.flat()).toEqual(ids('blue', count));
    expect(account.group(BLUE).desired).toBe(count);
    expect(asgMock).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
  });

  it('I3: a rollback AWS refuses fails loudly with AWS’s reason (AwsRequestError)', async () => {
    parked(2);
    account.group(BLUE).suspended.add('Launch'); // blocks ExitStandby (AWS-FACTS)

    const error = await thrown(handler(INPUT));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('ExitStandby failed: ValidationError');
  });

  it('maps throttling to TransientAwsError (the workflow retries the step)', async () => {
    parked(2);
    asgMock.on(ExitStandbyCommand).rejectsOnce(awsError('Throttling', 'Rate exceeded'));

    expect((await thrown(handler(INPUT))).name).toBe('TransientAwsError');
  });

  it.each([
    { what: 'min above desired', capacity: { min: 4, desired: 3, max: 6 }, field: 'capacity' },
    { what: 'a missing max', capacity: { min: 1, desired: 3 }, field: 'capacity.max' },
    { what: 'a negative desired', capacity: { min: 0, desired: -1, max: 6 }, field: 'capacity.desired' },
  ])('I8: a capacity with $what is rejected before any AWS call', async ({ capacity, field }) => {
    const error = await thrown(handler({ ...INPUT, capacity }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
    expect(asgMock.calls()).toHaveLength(0);
  });
});
