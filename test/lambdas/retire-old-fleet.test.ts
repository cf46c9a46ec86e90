import {
  AttachTrafficSourcesCommand,
  DetachTrafficSourcesCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/retire-old-fleet/handler';
import { describeGroup, OLD_FLEET_SUSPENDED_PROCESSES } from '../../lambdas/shared/aws/auto-scaling';
import { suspendForDeployment } from '../../lambdas/shared/aws/deployment-processes';
import { createHarness, rejection, type Harness, type HarnessOptions } from '../support/account';

let h: Harness;
const input = () => ({ groupName: h.blue });

type MainState = 'InService' | 'Adding' | 'Added' | 'Removing' | 'Removed' | 'gone';

const traffic = (arns: string[]) => ({
  AutoScalingGroupName: 'webapp-blue',
  TrafficSources: arns.map((Identifier) => ({ Identifier })),
});

/**
 * The old fleet after the window, as the workflow leaves it: processes suspended, every instance in Standby
 * (desired 0), detached from the synthetic target group, and its attachment to the main one in `mainState`.
 */
async function parked(count: number, mainState: MainState = 'Removed', options: HarnessOptions = {}) {
  h = createHarness({
    instances: count,
    ...options,
    customize: (env) =>
      Object.assign(env.groups.blue, {
        min: 0,
        max: Math.max(count, 4),
        attachedTargetGroups: [env.mainTargetGroup.arn, env.syntheticTargetGroup.arn],
      }),
  });
  // As enter-standby suspends them: recorded on the group first (what the retirement resumes).
  await suspendForDeployment(await describeGroup(h.blue), OLD_FLEET_SUSPENDED_PROCESSES);
  await h.enterStandby(h.blue);
  // Detached from main while its targets still drain (EnteringStandby), it is Removing until they are gone.
  if (mainState === 'Removing') await h.asg.send(new DetachTrafficSourcesCommand(traffic([h.main])));
  else h.until(() => h.idsIn(h.blue, 'Standby').length === count);
  await h.asg.send(new DetachTrafficSourcesCommand(traffic([h.synthetic])));
  if (mainState !== 'InService' && mainState !== 'Removing') {
    await h.asg.send(new DetachTrafficSourcesCommand(traffic([h.main])));
    if (mainState !== 'Removed') h.until(() => h.sources(h.blue)[h.main] === undefined);
    if (mainState === 'Adding' || mainState === 'Added') {
      await h.asg.send(new AttachTrafficSourcesCommand(traffic([h.main])));
    }
  }
  h.until(() => (h.sources(h.blue)[h.main] ?? 'gone') === mainState);
  h.forgetCalls();
}

afterEach(() => h.dispose());

describe('retire-old-fleet', () => {
  it('lifts the scale-in protection of the old fleet, so that the group empties', async () => {
    await parked(3, 'Removed', { activeGroup: { newInstancesProtectedFromScaleIn: true } });

    await handler(input());

    expect(h.changes()).toEqual([
      'ExitStandby',
      'SetInstanceProtection',
      'UpdateAutoScalingGroup',
      'ResumeProcesses',
      'DeleteTags',
    ]);
    h.until(() => h.group(h.blue).instances.length === 0, 300);
  });

  it('releases the Standby instances, scales the group to zero, then resumes its processes', async () => {
    await parked(3);

    const output = await handler(input());

    expect(output).toEqual({ groupName: h.blue, exitedStandby: 3 });
    expect(h.changes()).toEqual(['ExitStandby', 'UpdateAutoScalingGroup', 'ResumeProcesses', 'DeleteTags']);
    const group = h.group(h.blue);
    expect([group.min, group.desired, group.suspendedProcesses]).toEqual([0, 0, []]);
    // Released from Standby into no target group, the instances are terminated by the scale-in.
    const released = h.group(h.blue).instances.map((instance) => instance.id);
    h.until(
      () => h.group(h.blue).instances.length === 0,
      600,
      () => expect(released.filter((id) => id in h.health(h.main))).toEqual([]),
    );
  });

  it('I4: proceeds when the group is gone from DescribeTrafficSources altogether', async () => {
    await parked(2, 'gone');

    expect((await handler(input())).exitedStandby).toBe(2);
  });

  it.each(['InService', 'Added', 'Adding', 'Removing'] as const)(
    'I4: refuses, changing nothing, while the group is still attached to a target group (%s)',
    async (state) => {
      await parked(3, state);
      const before = h.account.snapshot();

      const error = await rejection(handler(input()));

      expect(error.name).toBe('UnsafeOperationError');
      expect(error.message).toContain(`still attached to webapp-main (${state})`);
      expect(error.message).toContain('Detach it first');
      expect(h.changes()).toEqual([]);
      expect(h.account.snapshot()).toEqual(before);
    },
  );

  it('waits (NotReadyError, changing nothing) while instances are still entering Standby', async () => {
    // Attached to nothing: an instance put in Standby is EnteringStandby until the account's next second.
    h = createHarness({
      instances: 3,
      customize: (env) => Object.assign(env.groups.blue, { min: 0, attachedTargetGroups: [] }),
    });
    const [first, second, last] = h.idsIn(h.blue, 'InService');
    await h.enterStandby(h.blue, [first, second]);
    h.run(1);
    await h.enterStandby(h.blue, [last]);
    h.forgetCalls();

    const error = await rejection(handler(input()));

    expect(h.idsIn(h.blue, 'EnteringStandby')).toEqual([last]);
    expect(error.name).toBe('NotReadyError');
    expect(error.message).toContain('1 instance is of webapp-blue still entering Standby');
    expect(h.changes()).toEqual([]);
  });

  it('I6: a second run changes nothing', async () => {
    await parked(3);
    await handler(input());
    h.forgetCalls();

    expect(await handler(input())).toEqual({ groupName: h.blue, exitedStandby: 0 });
    h.until(() => h.group(h.blue).instances.length === 0); // desired 0 terminates the released instances
    expect(await handler(input())).toEqual({ groupName: h.blue, exitedStandby: 0 });

    expect(h.changes()).toEqual([]);
  });

  it('I6: a run interrupted after ExitStandby finishes the job on retry', async () => {
    await parked(3, 'Removed', {
      faults: {
        failAttempt: (operation) => operation === 'autoscaling:UpdateAutoScalingGroup' && 'server-error',
      },
    });

    expect((await rejection(handler(input()))).name).toBe('TransientAwsError');
    h.account.setFaults({}); // the 5xx have passed
    const output = await handler(input());

    expect(output.exitedStandby).toBe(0);
    const group = h.group(h.blue);
    expect([group.min, group.desired, group.suspendedProcesses]).toEqual([0, 0, []]);
  });

  it.each([
    [1, 1],
    [20, 1],
    [21, 2],
    [250, 13],
  ])('I7: %i Standby instances leave in %i ExitStandby calls of at most 20', async (count, calls) => {
    await parked(count);
    const standby = h.idsIn(h.blue, 'Standby');

    const output = await handler(input());

    expect(output).toEqual({ groupName: h.blue, exitedStandby: count });
    const batches = h.inputs<{ InstanceIds: string[] }>('ExitStandby').map((call) => call.InstanceIds);
    expect(batches).toHaveLength(calls);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(20);
    expect(batches.flat().sort()).toEqual([...standby].sort());
    expect(h.group(h.blue).desired).toBe(0);
    expect(h.inputs('DescribeAutoScalingGroups')).toHaveLength(1);
  });

  it('scales a group with no Standby instance to zero without calling ExitStandby', async () => {
    h = createHarness({
      instances: 2,
      customize: (env) => Object.assign(env.groups.blue, { min: 1, attachedTargetGroups: [] }),
    });

    const output = await handler(input());

    expect(output.exitedStandby).toBe(0);
    expect(h.changes()).toEqual(['UpdateAutoScalingGroup']);
    expect(h.inputs('UpdateAutoScalingGroup')).toEqual([
      { AutoScalingGroupName: h.blue, MinSize: 0, DesiredCapacity: 0 },
    ]);
    h.until(() => h.group(h.blue).instances.length === 0);
  });

  it('maps a rejected ExitStandby to AwsRequestError carrying AWS’s reason', async () => {
    await parked(2);
    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['Launch'] }),
    );

    const error = await rejection(handler(input()));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toMatch(/^ExitStandby failed: ValidationError: .*Launch process suspended/);
    expect(h.idsIn(h.blue, 'Standby')).toHaveLength(2);
  });

  it('I8: an empty group name is rejected before any AWS call', async () => {
    h = createHarness();

    const error = await rejection(handler({ groupName: '' }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain('groupName');
    expect(h.account.apiCalls.total).toBe(0);
  });
});
