import {
  DetachTrafficSourcesCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { SUSPENDED_BY_DEPLOYMENT_TAG } from '../../lambdas/shared/contract';
import { handler } from '../../lambdas/restore-old-fleet/handler';
import { describeGroup, OLD_FLEET_SUSPENDED_PROCESSES } from '../../lambdas/shared/aws/auto-scaling';
import { suspendForDeployment } from '../../lambdas/shared/aws/deployment-processes';
import { createHarness, rejection, type Harness, type HarnessOptions } from '../support/account';

const CAPACITY = { min: 1, desired: 3, max: 6 };
let h: Harness;
const input = (capacity: object = CAPACITY) => ({
  groupName: h.blue,
  mainTargetGroupArn: h.main,
  capacity,
  newGroupName: h.green,
});

/** Blue serving with `count` instances (MinSize 0, MaxSize `max`), as before enter-standby. */
function serving(count: number, max = 6, options: HarnessOptions = {}): void {
  h = createHarness({
    instances: count,
    ...options,
    customize: (env) => Object.assign(env.groups.blue, { min: 0, max }),
  });
}

/**
 * The old fleet during the window, as enter-standby leaves it: processes suspended, every instance in
 * Standby (desired 0), and the group's attachment to the main target group in `mainState`.
 */
async function parked(
  count: number,
  mainState: 'InService' | 'Removing' | 'Removed' | 'gone' = 'InService',
  max = 6,
  options: HarnessOptions = {},
): Promise<void> {
  serving(count, max, options);
  // As enter-standby suspends them: recorded on the group first (what the restore resumes).
  await suspendForDeployment(await describeGroup(h.blue), OLD_FLEET_SUSPENDED_PROCESSES);
  await h.enterStandby(h.blue);
  h.until(() => h.idsIn(h.blue, 'Standby').length === count);
  if (mainState !== 'InService') {
    await h.asg.send(
      new DetachTrafficSourcesCommand({
        AutoScalingGroupName: h.blue,
        TrafficSources: [{ Identifier: h.main }],
      }),
    );
    h.until(() => (h.sources(h.blue)[h.main] ?? 'gone') === mainState);
  }
  h.forgetCalls();
}

const sizes = () => {
  const group = h.group(h.blue);
  return [group.min, group.desired, group.max];
};

afterEach(() => h.dispose());

describe('restore-old-fleet', () => {
  it('resumes the processes the deployment suspended (and forgets them), returns the Standby instances to service, then restores the capacity', async () => {
    await parked(3);
    const standby = h.idsIn(h.blue, 'Standby');

    const output = await handler(input());

    expect(output).toEqual({ groupName: h.blue, exitedStandby: 3 });
    expect(h.changes()).toEqual(['ResumeProcesses', 'DeleteTags', 'ExitStandby', 'UpdateAutoScalingGroup']);
    expect(h.group(h.blue).tags).not.toHaveProperty(SUSPENDED_BY_DEPLOYMENT_TAG);
    expect(h.group(h.blue).suspendedProcesses).toEqual([]);
    expect(sizes()).toEqual([1, 3, 6]);
    expect(h.idsIn(h.blue, 'Pending')).toEqual(standby);
    // Returning instances are registered with the main target group as they leave Standby.
    for (const id of standby) expect(h.health(h.main)[id]).toBe('initial');
    h.until(() => standby.every((id) => h.health(h.main)[id] === 'healthy'));
    expect(h.idsIn(h.blue, 'InService')).toEqual(standby);
  });

  it.each(['gone', 'Removing', 'Removed'] as const)(
    'I1: attaches the main target group first when the group has left it (%s), so returning instances register',
    async (state) => {
      await parked(2, state);
      const standby = h.idsIn(h.blue, 'Standby');

      await handler(input());

      expect(h.changes()[0]).toBe('AttachTrafficSources');
      expect(h.changes().indexOf('ExitStandby')).toBeGreaterThan(0);
      expect(h.sources(h.blue)[h.main]).toBe('Adding');
      for (const id of standby) expect(h.health(h.main)[id]).toBe('initial');
    },
  );

  it('returns the instances already in Standby, then waits (NotReadyError) for those still draining', async () => {
    serving(3);
    const [first, second, last] = h.idsIn(h.blue, 'InService');
    await h.enterStandby(h.blue, [first, second]);
    h.until(() => h.idsIn(h.blue, 'Standby').length === 2);
    await h.enterStandby(h.blue, [last]);
    h.forgetCalls();

    const error = await rejection(handler(input()));

    expect(error.name).toBe('NotReadyError');
    expect(error.message).toContain('1 instance is of webapp-blue still entering Standby');
    expect(h.inputs('ExitStandby')).toEqual([expect.objectContaining({ InstanceIds: [first, second] })]);
    // Restoring desired now would launch a replacement for the draining instance.
    expect(h.changes()).not.toContain('UpdateAutoScalingGroup');

    h.until(() => h.idsIn(h.blue, 'Standby').length === 1);
    const output = await handler(input());

    expect(output.exitedStandby).toBe(1);
    expect(h.inputs<{ InstanceIds: string[] }>('ExitStandby').map((call) => call.InstanceIds)).toEqual([
      [first, second],
      [last],
    ]);
    expect(sizes()).toEqual([1, 3, 6]);
    expect(h.group(h.blue).instances).toHaveLength(3);
  });

  it('leaves suspended the processes the team suspended before the deployment', async () => {
    serving(3);
    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['AZRebalance'] }),
    );
    await suspendForDeployment(await describeGroup(h.blue), OLD_FLEET_SUSPENDED_PROCESSES);
    await h.enterStandby(h.blue);
    h.until(() => h.idsIn(h.blue, 'Standby').length === 3);

    await handler(input());

    expect(h.group(h.blue).suspendedProcesses).toEqual(['AZRebalance']);
  });

  it('brings the old fleet back at least as large as the new fleet serves with (it scaled out in the window)', async () => {
    await parked(3);
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: h.green,
        MinSize: 0,
        MaxSize: 8,
        DesiredCapacity: 5,
      }),
    );
    h.until(() => h.idsIn(h.green, 'InService').length === 5);

    await handler(input());

    // 3 return from Standby and 2 launch; the rollback's wait holds the new group until all 5 are healthy.
    expect(sizes()).toEqual([1, 5, 6]);
    h.until(() => h.idsIn(h.blue, 'InService').length === 5);
  });

  it('I6: a second run exits nothing and changes nothing', async () => {
    await parked(3);
    await handler(input());
    h.forgetCalls();

    expect(await handler(input())).toEqual({ groupName: h.blue, exitedStandby: 0 });
    h.until(() => h.idsIn(h.blue, 'InService').length === 3);
    expect(await handler(input())).toEqual({ groupName: h.blue, exitedStandby: 0 });

    expect(h.changes()).toEqual([]);
    expect(sizes()).toEqual([1, 3, 6]);
  });

  it('re-asserts the capacity when it drifted (e.g. a rollback before the fleet was parked)', async () => {
    serving(3);

    const output = await handler(input());

    expect(output.exitedStandby).toBe(0);
    expect(h.changes()).toEqual(['UpdateAutoScalingGroup']);
    expect(sizes()).toEqual([1, 3, 6]);
  });

  it.each([
    [1, 1],
    [20, 1],
    [21, 2],
    [250, 13],
  ])('I7: %i Standby instances return in %i ExitStandby calls of at most 20', async (count, calls) => {
    await parked(count, 'InService', count);
    const standby = h.idsIn(h.blue, 'Standby');

    const output = await handler(input({ min: 1, desired: count, max: count }));

    expect(output).toEqual({ groupName: h.blue, exitedStandby: count });
    const batches = h.inputs<{ InstanceIds: string[] }>('ExitStandby').map((call) => call.InstanceIds);
    expect(batches).toHaveLength(calls);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(20);
    expect(batches.flat().sort()).toEqual([...standby].sort());
    expect(h.group(h.blue).desired).toBe(count);
    expect(h.idsIn(h.blue, 'Pending')).toHaveLength(count);
    expect(h.inputs('DescribeAutoScalingGroups')).toHaveLength(1);
  });

  it('I3: a rollback AWS refuses fails loudly with AWS’s reason (AwsRequestError)', async () => {
    await parked(2);
    // Blocks ExitStandby (docs/aws-facts/auto-scaling-standby.md#exitstandby).
    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['Launch'] }),
    );

    const error = await rejection(handler(input()));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('ExitStandby failed: ValidationError');
    expect(h.idsIn(h.blue, 'Standby')).toHaveLength(2);
  });

  it('maps throttling to TransientAwsError (the workflow retries the step)', async () => {
    await parked(2, 'InService', 6, {
      faults: { failAttempt: (operation) => operation === 'autoscaling:ExitStandby' && 'throttling' },
    });

    expect((await rejection(handler(input()))).name).toBe('TransientAwsError');
    expect(h.idsIn(h.blue, 'Standby')).toHaveLength(2);
    h.account.setFaults({});
    expect(await handler(input())).toEqual({ groupName: h.blue, exitedStandby: 2 });
  });

  it.each([
    { what: 'min above desired', capacity: { min: 4, desired: 3, max: 6 }, field: 'capacity' },
    { what: 'a missing max', capacity: { min: 1, desired: 3 }, field: 'capacity.max' },
    { what: 'a negative desired', capacity: { min: 0, desired: -1, max: 6 }, field: 'capacity.desired' },
  ])('I8: a capacity with $what is rejected before any AWS call', async ({ capacity, field }) => {
    serving(1);

    const error = await rejection(handler(input(capacity)));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
    expect(h.account.apiCalls.total).toBe(0);
  });
});
