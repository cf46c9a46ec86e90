import {
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import { handler } from '../../lambdas/check-instances-in-service/handler';
import { DEFAULT_AMIS } from '../../simulator/account';
import { createHarness, rejection, type Harness, type HarnessOptions } from '../support/account';

let h: Harness;

/** Blue with `count` instances in service on launch template version 1, room for 300. */
function account(count: number, options: HarnessOptions = {}): void {
  h = createHarness({ instances: count, ...options, customize: (env) => (env.groups.blue.max = 300) });
}

const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

const poll = (
  desiredCapacity: number,
  startedAt: string | null = null,
  timeoutSeconds = 1_200,
  launchTemplateVersion = 1,
) =>
  handler({
    groupName: h.blue,
    launchTemplateVersion,
    desiredCapacity,
    wait: { startedAt },
    timeoutSeconds,
  });

const setDesired = (desired: number) =>
  h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: desired }));

/** Points blue at a new launch template version 2 (same AMI) and grows it to `desired`. */
async function launchOnVersion2(desired: number, version = '2'): Promise<void> {
  await h.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: h.environment.groups.blue.launchTemplateId,
      SourceVersion: '1',
      LaunchTemplateData: { ImageId: DEFAULT_AMIS.current },
    }),
  );
  await h.asg.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: h.blue,
      LaunchTemplate: { LaunchTemplateId: h.environment.groups.blue.launchTemplateId, Version: version },
      DesiredCapacity: desired,
    }),
  );
}

const inService = () => h.idsIn(h.blue, 'InService').length;

afterEach(() => h.dispose());

describe('check-instances-in-service', () => {
  it('is not done while fewer than desired are InService and healthy on the version; stamps the start', async () => {
    account(2);
    await setDesired(3);
    h.run(1);
    h.forgetCalls();

    await expect(poll(3)).resolves.toEqual({
      startedAt: new Date(Date.now()).toISOString(),
      done: false,
      elapsedSeconds: 0,
      detail: '2 of 3 instances in service on launch template version 1',
    });
    expect(h.idsIn(h.blue, 'Pending')).toHaveLength(1);
    expect(h.inputs('DescribeAutoScalingGroups')).toEqual([
      expect.objectContaining({ AutoScalingGroupNames: [h.blue] }),
    ]);
  });

  it('is done when desired instances are InService and healthy on the version', async () => {
    account(3);
    await expect(poll(3, secondsAgo(120))).resolves.toMatchObject({
      done: true,
      elapsedSeconds: 120,
      detail: '3 of 3 instances in service on launch template version 1',
    });
  });

  it('does not count InService instances that the group marks Unhealthy', async () => {
    account(1);
    // The old instance fails its ELB health checks and is marked Unhealthy, but not replaced.
    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['ReplaceUnhealthy'] }),
    );
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, { failHealthChecks: true });
    h.until(() => h.group(h.blue).instances.some((instance) => instance.healthStatus === 'Unhealthy'));
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, {});
    await setDesired(3);
    h.until(() => inService() === 3);

    await expect(poll(3)).resolves.toMatchObject({
      done: false,
      detail: '2 of 3 instances in service on launch template version 1 (1 InService but unhealthy)',
    });
  });

  it('I2: is not done while an InService instance still runs another version, even with enough new ones', async () => {
    account(3);
    await launchOnVersion2(4);
    h.until(() => inService() === 4);

    await expect(poll(3)).resolves.toMatchObject({
      done: false,
      detail:
        '3 of 3 instances in service on launch template version 1 (1 InService instance on another version)',
    });
  });

  it('counts Standby instances neither as in service nor as another version', async () => {
    account(4);
    await h.enterStandby(h.blue, h.idsIn(h.blue, 'InService').slice(0, 1));
    h.until(() => h.idsIn(h.blue, 'Standby').length === 1);

    await expect(poll(3)).resolves.toMatchObject({
      done: true,
      detail: '3 of 3 instances in service on launch template version 1',
    });
  });

  it('ignores old-version instances that are already on their way out', async () => {
    account(3);
    await launchOnVersion2(6);
    h.until(() => inService() === 6);
    // Scale-in picks the instances on the old version first.
    await setDesired(3);
    h.run(1);
    expect(h.idsIn(h.blue, 'Terminating')).toHaveLength(3);

    await expect(poll(3, null, 1_200, 2)).resolves.toMatchObject({ done: true });
  });

  it('counts instances launched from $Latest under the version number it resolved to', async () => {
    account(0);
    await launchOnVersion2(3, '$Latest');
    h.until(() => inService() === 3);

    await expect(poll(3, null, 1_200, 2)).resolves.toMatchObject({ done: true });
    await expect(poll(3, null, 1_200, 1)).resolves.toMatchObject({
      done: false,
      detail: expect.stringMatching(/^0 of 3/),
    });
  });

  it('throws WaitTimeoutError with the progress once the deadline has passed', async () => {
    account(1);
    const error = await rejection(poll(3, secondsAgo(1_200), 1_200));
    expect(error.name).toBe('WaitTimeoutError');
    expect(error.message).toMatch(
      /3 instances of webapp-blue in service on launch template version 1 after 1200 s: 1 of 3 instances/,
    );
  });

  it('I7: 250 instances give a constant-size state without instance ids', async () => {
    account(248);
    await setDesired(250);

    const state = await poll(250);

    expect(state).toMatchObject({
      done: false,
      detail: '248 of 250 instances in service on launch template version 1',
    });
    expect(JSON.stringify(state)).not.toMatch(/i-[0-9a-f]/);
    expect(h.inputs('DescribeAutoScalingGroups')).toHaveLength(1);
  });

  it('I6: checking twice with the same wait state gives the same answer and only reads', async () => {
    account(2);
    const startedAt = secondsAgo(30);
    const first = await poll(3, startedAt);
    const second = await poll(3, startedAt);
    expect(second).toEqual(first);
    expect(h.changes()).toEqual([]);
  });

  it('maps throttling to TransientAwsError', async () => {
    account(3, { faults: { throttleProbability: 1 } });
    expect((await rejection(poll(3))).name).toBe('TransientAwsError');
  });

  it('rejects a version that is not a number before any AWS call', async () => {
    account(3);
    const error = await rejection(
      handler({
        groupName: h.blue,
        launchTemplateVersion: '$Latest',
        desiredCapacity: 3,
        wait: { startedAt: null },
        timeoutSeconds: 60,
      }),
    );
    expect(error).toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('launchTemplateVersion'),
    });
    expect(h.account.apiCalls.total).toBe(0);
  });
});

describe('check-instances-in-service with launch lifecycle hooks', () => {
  /** Blue with 2 instances on version 1 and a launch hook answered as `answer` says. */
  function withLaunchHook(answer: { result: 'CONTINUE' | 'ABANDON'; afterSeconds: number } | 'never'): void {
    account(2, {
      activeGroup: {
        lifecycleHooks: [
          { name: 'configure', transition: 'launching', heartbeatTimeoutSeconds: 300, answer },
        ],
      },
    });
  }

  it('counts an instance held in Pending:Wait as not yet in service, and says so', async () => {
    withLaunchHook({ result: 'CONTINUE', afterSeconds: 120 });
    await setDesired(3);
    h.until(() => h.idsIn(h.blue, 'Pending:Wait').length === 1);

    const held = await poll(3);
    expect(held).toMatchObject({ done: false });
    expect(held.detail).toContain('1 held by a launch lifecycle hook');

    h.until(() => inService() === 3, 400);
    await expect(poll(3, held.startedAt)).resolves.toMatchObject({ done: true });
  });

  it('fails at once, as the new version failing, when the hook abandons its launches', async () => {
    withLaunchHook({ result: 'ABANDON', afterSeconds: 30 });
    const launchedAt = new Date().toISOString();
    await setDesired(3);
    const first = await poll(3);
    h.until(
      () => h.group(h.blue).instances.some((instance) => /^Terminat/.test(instance.lifecycleState)),
      120,
    );

    const error = await rejection(
      handler({
        groupName: h.blue,
        launchTemplateVersion: 1,
        desiredCapacity: 3,
        launchedAt,
        wait: { startedAt: first.startedAt },
        timeoutSeconds: 1_200,
      }),
    );
    expect(error.name).toBe('NewInstancesFailedError');
    expect(error.message).toMatch(
      /1 launch of webapp-blue .* abandoned by a launch lifecycle hook: .*ABANDON/,
    );
  });
});
