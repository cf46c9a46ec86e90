import {
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/scale-group-to-zero/handler';
import { createHarness, denying, type Harness, type HarnessOptions } from '../support/account';

let h: Harness;

/** Green with the sizes given, running `desired` instances of the old version. */
function givenGreen(min: number, desired: number, max: number, options: HarnessOptions = {}): void {
  h = createHarness({
    ...options,
    customize: (env) => Object.assign(env.groups.green, { min, desired, max }),
  });
}

const sizes = () => {
  const group = h.group(h.green);
  return { min: group.min, desired: group.desired, max: group.max };
};

afterEach(() => h.dispose());

describe('scale-group-to-zero', () => {
  it('sets min and desired to 0, leaves max alone, and reports the previous sizes', async () => {
    givenGreen(2, 3, 6);
    const launchTemplate = h.group(h.green).launchTemplate;

    await expect(handler({ groupName: 'webapp-green' })).resolves.toEqual({
      groupName: 'webapp-green',
      previousCapacity: { min: 2, desired: 3, max: 6 },
    });

    expect(h.inputs('UpdateAutoScalingGroup')).toEqual([
      { AutoScalingGroupName: 'webapp-green', MinSize: 0, DesiredCapacity: 0 },
    ]);
    expect(sizes()).toEqual({ min: 0, desired: 0, max: 6 });
    expect(h.group(h.green).launchTemplate).toEqual(launchTemplate);
    // The group terminates its instances on its own.
    h.until(() => h.group(h.green).instances.length === 0);
  });

  it('lowers min with desired: AWS refuses a desired capacity below the minimum', async () => {
    // A desired capacity of 0 with MinSize 1 cannot exist (the account refuses it), so min goes too.
    givenGreen(1, 1, 4);
    await expect(
      h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, DesiredCapacity: 0 })),
    ).rejects.toMatchObject({ name: 'ValidationError' });

    await handler({ groupName: 'webapp-green' });

    expect(h.inputs('UpdateAutoScalingGroup')).toEqual([
      { AutoScalingGroupName: 'webapp-green', MinSize: 0, DesiredCapacity: 0 },
    ]);
    expect(sizes()).toEqual({ min: 0, desired: 0, max: 4 });
  });

  it('I6: a second run makes no change and leaves the group at zero', async () => {
    givenGreen(2, 3, 6);
    await handler({ groupName: 'webapp-green' });
    h.forgetCalls();

    const second = await handler({ groupName: 'webapp-green' });

    expect(h.changes()).toEqual([]);
    expect(second).toEqual({ groupName: 'webapp-green', previousCapacity: { min: 0, desired: 0, max: 6 } });
    expect(sizes()).toEqual({ min: 0, desired: 0, max: 6 });
  });

  it('skips the update for a group that is already at 0/0', async () => {
    givenGreen(0, 0, 4);

    await handler({ groupName: 'webapp-green' });

    expect(h.inputs('DescribeAutoScalingGroups')).toHaveLength(1);
    expect(h.changes()).toEqual([]);
  });

  it('a missing group is InconsistentAccountError and nothing is updated', async () => {
    givenGreen(1, 1, 1);

    await expect(handler({ groupName: 'webapp-purple' })).rejects.toMatchObject({
      name: 'InconsistentAccountError',
      message: expect.stringContaining('webapp-purple'),
    });
    expect(h.changes()).toEqual([]);
  });

  it('maps 5xx and throttling to TransientAwsError, a refused update to AwsRequestError', async () => {
    givenGreen(1, 1, 1);
    const failing = (fault: 'server-error' | 'throttling') => ({
      failAttempt: (operation: string) => operation === 'autoscaling:UpdateAutoScalingGroup' && fault,
    });

    h.account.setFaults(failing('server-error'));
    await expect(handler({ groupName: 'webapp-green' })).rejects.toMatchObject({ name: 'TransientAwsError' });
    h.account.setFaults(failing('throttling'));
    await expect(handler({ groupName: 'webapp-green' })).rejects.toMatchObject({ name: 'TransientAwsError' });
    h.account.setFaults({});
    await expect(
      denying(['autoscaling:UpdateAutoScalingGroup'], () => handler({ groupName: 'webapp-green' })),
    ).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringContaining('UpdateAutoScalingGroup failed: AccessDenied'),
    });
    expect(sizes()).toEqual({ min: 1, desired: 1, max: 1 });
  });

  it('rejects an input without a group name before any AWS call', async () => {
    givenGreen(1, 1, 1);

    await expect(handler({ group: 'webapp-green' })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(h.account.apiCalls.total).toBe(0);
  });
});

describe('scale-group-to-zero with scale-in protection', () => {
  it('lifts the protection of the instances it empties the group of, or they would never leave', async () => {
    h = createHarness({
      standbyGroup: { min: 0, desired: 3, max: 6, newInstancesProtectedFromScaleIn: true },
    });
    h.until(() => h.idsIn(h.green, 'InService').length === 3);
    const described = async () =>
      (await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [h.green] })))
        .AutoScalingGroups?.[0];
    expect((await described())?.Instances?.every((instance) => instance.ProtectedFromScaleIn)).toBe(true);
    h.forgetCalls();

    await handler({ groupName: 'webapp-green' });

    expect(h.changes()).toEqual(['SetInstanceProtection', 'UpdateAutoScalingGroup']);
    h.until(() => h.group(h.green).instances.length === 0, 300);
    // The group's own setting is the team's: the next launch is protected as before.
    expect((await described())?.NewInstancesProtectedFromScaleIn).toBe(true);
    h.forgetCalls();
    await handler({ groupName: 'webapp-green' });
    expect(h.changes()).toEqual([]);
  });
});
