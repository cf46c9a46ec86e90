import {
  AttachTrafficSourcesCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { OPERATOR_REQUEST_TAG, SUSPENDED_BY_DEPLOYMENT_TAG } from '../../lambdas/shared/contract';
import { handler } from '../../lambdas/enter-standby/handler';
import { OLD_FLEET_SUSPENDED_PROCESSES } from '../../lambdas/shared/aws/auto-scaling';
import { createHarness, denying, rejection, type Harness } from '../support/account';

let h: Harness;
const input = () => ({ groupName: h.blue, mainTargetGroupArn: h.main, newGroupName: h.green });

/**
 * The shifted state: blue (old, `count` instances, MinSize `min`) and green (new, 3 instances) both
 * InService and healthy in the main target group.
 */
function shifted(count: number, min = 1, options: Parameters<typeof createHarness>[0] = {}): void {
  h = createHarness({
    instances: count,
    ...options,
    customize: (env) => {
      Object.assign(env.groups.blue, { min: Math.min(min, count), max: Math.max(count, 4) });
      // The new fleet matched production's size before the shift (match-production-capacity).
      Object.assign(env.groups.green, {
        desired: Math.max(count, 3),
        max: Math.max(count, 3),
        attachedTargetGroups: [env.mainTargetGroup.arn],
      });
    },
  });
}

/** Only blue serves: the default account. */
function blueOnly(options: Parameters<typeof createHarness>[0] = {}): void {
  h = createHarness(options);
}

afterEach(() => h.dispose());

describe('enter-standby', () => {
  it('waits (NotReadyError) while production is still launching instances, so that none comes InService unparked', async () => {
    shifted(3);
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 4, MaxSize: 6 }),
    );
    h.run(1);

    const error = await rejection(handler(input()));

    expect(error.name).toBe('NotReadyError');
    expect(error.message).toContain('1 instance is of webapp-blue still launching');
    expect(h.idsIn(h.blue, 'Standby')).toEqual([]);
    // Production launches nothing more meanwhile: its scaling processes are suspended first.
    expect(h.group(h.blue).suspendedProcesses).toEqual(
      expect.arrayContaining(['AlarmNotification', 'ScheduledActions']),
    );
  });

  it('grows the new group to the old fleet’s size and waits until it serves with as many, before parking the old fleet', async () => {
    shifted(3);
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 5, MaxSize: 6 }),
    );
    h.until(() => h.idsIn(h.blue, 'InService').length === 5);

    const error = await rejection(handler(input()));
    expect(error.message).toContain(
      'webapp-green serves with 3 healthy targets in webapp-main and webapp-blue with 5',
    );
    expect(h.group(h.green).desired).toBe(5);
    expect(h.idsIn(h.blue, 'Standby')).toEqual([]);

    h.until(
      () => h.idsIn(h.green, 'InService').filter((id) => h.health(h.main)[id] === 'healthy').length === 5,
      300,
    );
    await expect(handler(input())).resolves.toEqual({ groupName: h.blue, movedToStandby: 5 });
  });

  it('suspends the old fleet’s processes, lowers MinSize to 0, then parks its InService instances', async () => {
    shifted(3);
    const blue = h.idsIn(h.blue, 'InService');

    const output = await handler(input());

    expect(output).toEqual({ groupName: h.blue, movedToStandby: 3 });
    expect(h.changes()).toEqual([
      'CreateOrUpdateTags',
      'SuspendProcesses',
      'UpdateAutoScalingGroup',
      'EnterStandby',
    ]);
    const group = h.group(h.blue);
    expect(group.suspendedProcesses).toEqual(expect.arrayContaining(OLD_FLEET_SUSPENDED_PROCESSES));
    // Recorded first, so that only these are resumed later.
    expect(group.tags[SUSPENDED_BY_DEPLOYMENT_TAG]?.split(',').sort()).toEqual(
      [...OLD_FLEET_SUSPENDED_PROCESSES].sort(),
    );
    // Desired went down with the parked instances (nothing replaces them); max is as it was.
    expect({ min: group.min, desired: group.desired, max: group.max }).toEqual({
      min: 0,
      desired: 0,
      max: 4,
    });
    expect(h.idsIn(h.blue, 'EnteringStandby')).toEqual(blue);
    for (const id of blue) expect(h.health(h.main)[id]).toBe('draining');
  });

  it('the parked instances reach Standby once drained, and none is replaced', async () => {
    shifted(3);

    await handler(input());
    h.run(h.environment.mainTargetGroup.deregistrationDelaySeconds + 5);

    expect(h.idsIn(h.blue, 'Standby')).toHaveLength(3);
    expect(h.group(h.blue).instances).toHaveLength(3);
    expect(Object.values(h.health(h.main))).toEqual(['healthy', 'healthy', 'healthy']);
  });

  it('I3: never suspends Launch (it would block ExitStandby, the rollback path)', async () => {
    shifted(2);

    await handler(input());

    expect(h.group(h.blue).suspendedProcesses).not.toContain('Launch');
  });

  it('I3: refuses, changing nothing, when Launch is already suspended on the old fleet', async () => {
    shifted(2, 1, { activeSuspendedProcesses: ['Launch'] });
    const before = h.account.snapshot();

    const error = await rejection(handler(input()));

    expect(error.name).toBe('UnsafeOperationError');
    expect(error.message).toContain('Launch');
    expect(h.account.snapshot()).toEqual(before);
  });

  it('I1: refuses to park the fleet when no target outside it is healthy in the main target group', async () => {
    // Green is InService but was attached a moment ago: its targets are still in their initial checks.
    h = createHarness({
      customize: (env) => Object.assign(env.groups.green, { desired: 3, max: 3 }),
    });
    await h.asg.send(
      new AttachTrafficSourcesCommand({
        AutoScalingGroupName: h.green,
        TrafficSources: [{ Identifier: h.main }],
      }),
    );
    expect(Object.values(h.health(h.main))).toContain('initial');
    h.forgetCalls();

    const error = await rejection(handler(input()));

    expect(error.name).toBe('UnsafeOperationError');
    expect(error.message).toContain('webapp-main has no healthy target outside webapp-blue');
    expect(h.changes()).toEqual([]);
  });

  it('I1: refuses when the old fleet is the only thing registered', async () => {
    blueOnly();
    const before = h.account.snapshot();

    expect((await rejection(handler(input()))).name).toBe('UnsafeOperationError');
    expect(h.account.snapshot()).toEqual(before);
  });

  it('I1: the group’s own instances do not count as “elsewhere”, whatever their state', async () => {
    // Blue has one instance in service and one still launching; nothing else is in the main target group.
    blueOnly({ instances: 1 });
    await h.asg.send(
      new SetDesiredCapacityCommand({
        AutoScalingGroupName: h.blue,
        DesiredCapacity: 2,
      }),
    );
    h.run(1);
    expect(h.idsIn(h.blue, 'Pending')).toHaveLength(1);
    h.forgetCalls();

    expect((await rejection(handler(input()))).name).toBe('UnsafeOperationError');
    expect(h.changes()).toEqual([]);
  });

  it('I6: a second run finds nothing InService and changes nothing (while draining and after)', async () => {
    shifted(3);
    await handler(input());
    h.forgetCalls();

    expect(await handler(input())).toEqual({ groupName: h.blue, movedToStandby: 0 });
    h.run(h.environment.mainTargetGroup.deregistrationDelaySeconds + 5);
    expect(await handler(input())).toEqual({ groupName: h.blue, movedToStandby: 0 });

    expect(h.changes()).toEqual([]);
    // The finished work is not re-judged: the old fleet is parked, its health no longer matters.
    expect(h.inputs('DescribeTargetHealth')).toEqual([]);
  });

  it('skips the suspend and MinSize calls a previous, interrupted run already made', async () => {
    shifted(2, 0, { activeSuspendedProcesses: OLD_FLEET_SUSPENDED_PROCESSES });

    const output = await handler(input());

    expect(output.movedToStandby).toBe(2);
    expect(h.changes()).toEqual(['EnterStandby']);
  });

  it('suspends only the processes not already suspended', async () => {
    shifted(1, 1, { activeSuspendedProcesses: ['AZRebalance'] });

    await handler(input());

    expect(h.inputs('SuspendProcesses')).toEqual([
      expect.objectContaining({
        ScalingProcesses: OLD_FLEET_SUSPENDED_PROCESSES.filter((p) => p !== 'AZRebalance'),
      }),
    ]);
    expect(h.group(h.blue).suspendedProcesses.sort()).toEqual([...OLD_FLEET_SUSPENDED_PROCESSES].sort());
    // The team's AZRebalance is not recorded as the deployment's: it stays suspended when the fleet returns.
    expect(h.group(h.blue).tags[SUSPENDED_BY_DEPLOYMENT_TAG]?.split(',')).not.toContain('AZRebalance');
  });

  it.each([
    [1, 1],
    [20, 1],
    [21, 2],
    [250, 13],
  ])('I7: %i instances go out in %i EnterStandby calls of at most 20', async (count, calls) => {
    shifted(count);
    const blue = h.idsIn(h.blue, 'InService');

    const output = await handler(input());

    expect(output).toEqual({ groupName: h.blue, movedToStandby: count });
    const batches = h.inputs<{ InstanceIds: string[] }>('EnterStandby').map((call) => call.InstanceIds);
    expect(batches).toHaveLength(calls);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(20);
    expect(batches.flat().sort()).toEqual([...blue].sort());
    expect(h.idsIn(h.blue, 'EnteringStandby')).toHaveLength(count);
    // Read once before suspending the old fleet's processes and once after: whatever the fleet's size.
    expect(h.inputs('DescribeAutoScalingGroups')).toHaveLength(2);
  });

  it('parks only InService instances', async () => {
    shifted(4, 0);
    const [entering, parked, ...inService] = h.idsIn(h.blue, 'InService');
    await h.enterStandby(h.blue, [parked]);
    h.run(h.environment.mainTargetGroup.deregistrationDelaySeconds + 5);
    await h.enterStandby(h.blue, [entering]);
    h.forgetCalls();

    const output = await handler(input());

    expect(output.movedToStandby).toBe(2);
    expect(h.inputs('EnterStandby')).toEqual([expect.objectContaining({ InstanceIds: inService })]);
    expect(h.idsIn(h.blue, 'Standby')).toEqual([parked]);
  });

  it('maps a refused EnterStandby to AwsRequestError carrying AWS’s reason', async () => {
    shifted(2);

    const error = await rejection(denying(['autoscaling:EnterStandby'], () => handler(input())));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toMatch(/^EnterStandby failed: AccessDenied: .*autoscaling:EnterStandby/);
    expect(h.idsIn(h.blue, 'InService')).toHaveLength(2);
  });

  it('I6: an EnterStandby that AWS applied but whose answer was lost is retried, not failed (NotReadyError)', async () => {
    // The SDK retries a timed-out call; the retry finds the instances already on their way to Standby.
    shifted(2, 1, {
      faults: {
        loseAnswer: (operation, attempt) => operation === 'autoscaling:EnterStandby' && attempt === 1,
      },
    });

    const error = await rejection(handler(input()));

    expect(error.name).toBe('NotReadyError');
    expect(error.message).toMatch(/The instance i-\w+ is not in InService\./);
    expect(h.idsIn(h.blue, 'EnteringStandby')).toHaveLength(2);
    // The workflow runs the step again: it finds the work done.
    expect(await handler(input())).toEqual({ groupName: h.blue, movedToStandby: 0 });
  });

  it('maps Auto Scaling throttling to TransientAwsError', async () => {
    shifted(2, 1, { faults: { throttleProbability: 1 } });

    expect((await rejection(handler(input()))).name).toBe('TransientAwsError');
    h.account.setFaults({});
    expect(h.changes()).toEqual([]);
  });

  it('I8: a malformed target group ARN is rejected before any AWS call', async () => {
    blueOnly();

    const error = await rejection(handler({ groupName: h.blue, mainTargetGroupArn: 'webapp-main' }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain('mainTargetGroupArn');
    expect(h.account.apiCalls.total).toBe(0);
  });
});

describe('enter-standby while production scales out at the shift', () => {
  // The park waits while production still launches. It used to look only for instances in a Pending state:
  // a launch Auto Scaling had decided and not started (desired above the instances) was parked around, came
  // InService next to the new version, and a good version was rolled back (found in review).
  it('does not park the old fleet while its desired capacity is above the instances it has', async () => {
    shifted(3);
    // Production's scaling decision, just made: the instance is not created yet.
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 4, MaxSize: 6 }),
    );

    await expect(handler(input())).rejects.toMatchObject({ name: 'NotReadyError' });

    // Retried as the state machine does: once the decided instance is in service, the new group grows to 4,
    // then the whole old fleet is parked; none of it serves outside Standby.
    let parked = 0;
    for (let attempt = 0; attempt < 40 && parked === 0; attempt++) {
      h.run(30);
      parked = await handler(input()).then(
        (output) => output.movedToStandby,
        (error: Error) => {
          if (error.name !== 'NotReadyError') throw error;
          return 0;
        },
      );
    }
    expect(parked).toBe(4);
    h.run(600);
    expect(h.idsIn(h.blue, 'InService')).toEqual([]);
    expect(h.group(h.green).desired).toBe(4);
  });

  // The park can wait long; like every wait after the launch it honours an operator's stop
  // (docs/design.md#operator-requests-at-any-phase). It used not to (found in review).
  it("honours an operator's rollback request while the park waits for the new group to grow", async () => {
    shifted(3);
    // Production scaled out after its capacity was matched.
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 5, MaxSize: 6 }),
    );
    h.until(() => h.idsIn(h.blue, 'InService').length === 5);
    expect((await rejection(handler(input()))).name).toBe('NotReadyError');
    expect(h.group(h.green).desired).toBe(5);

    // The operator gives up on the deployment (npm run ops -- abort tags the new group).
    await h.tag(h.green, OPERATOR_REQUEST_TAG, 'rollback');
    const error = await rejection(handler(input()));

    expect(error.name).toBe('RollbackRequestedError');
    expect(h.idsIn(h.blue, 'Standby')).toEqual([]);
  });
});
