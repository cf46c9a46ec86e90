import { DescribeAutoScalingGroupsCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import { handler } from '../../lambdas/launch-new-version/handler';
import { launchTemplateOf } from '../../lambdas/shared/group-template';
import { OPERATOR_REQUEST_TAG } from '../../lambdas/shared/aws/auto-scaling';
import { SUSPENDED_BY_DEPLOYMENT_TAG } from '../../lambdas/shared/contract';
import { DEFAULT_AMIS, type GroupDescription } from '../../simulator/account';
import { createHarness, type Harness, type HarnessOptions } from '../support/account';

const OLD_AMI = DEFAULT_AMIS.current;
const NEW_AMI = DEFAULT_AMIS.next;
const capacity = { min: 2, desired: 3, max: 6 };
const execution = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:webapp-deploy:run-1',
  name: 'run-1',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-deploy',
  startTime: '2025-01-01T10:00:00.000Z',
};
const input = (overrides: object = {}) => ({
  groupName: 'webapp-green',
  amiId: NEW_AMI,
  capacity,
  execution,
  roles: { active: { groupName: 'webapp-blue', capacity, instanceCount: 3 } },
  ...overrides,
});

let h: Harness;
let templateId: string;

/**
 * The standby group (green, empty) and its launch template with `versions` versions on the old AMI (the
 * default being `defaultVersion`), the group naming `groupVersion` of it.
 */
async function account(
  options: {
    versions?: number;
    defaultVersion?: number;
    group?: Partial<GroupDescription>;
  } & HarnessOptions = {},
): Promise<void> {
  const { versions = 5, defaultVersion = versions, group = {}, ...harness } = options;
  h = createHarness({
    ...harness,
    customize: (env) => Object.assign(env.groups.green, { launchTemplateVersion: '$Default', ...group }),
  });
  templateId = h.environment.groups.green.launchTemplateId;
  for (let version = 2; version <= versions; version++) {
    await h.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: templateId,
        SourceVersion: '1',
        LaunchTemplateData: { ImageId: OLD_AMI },
      }),
    );
  }
  await h.ec2.send(
    new ModifyLaunchTemplateCommand({ LaunchTemplateId: templateId, DefaultVersion: String(defaultVersion) }),
  );
  h.forgetCalls();
}

/** The template's versions as EC2 describes them, by number. */
async function templateVersions() {
  const answer = await h.ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId }),
  );
  return new Map(
    (answer.LaunchTemplateVersions ?? []).map((version) => [
      version.VersionNumber,
      version.LaunchTemplateData,
    ]),
  );
}

const green = () => h.group(h.green);

afterEach(() => h.dispose());

describe('launch-new-version', () => {
  it('creates a version from the resolved current one with the new AMI and points the group at it by number', async () => {
    await account();

    await expect(handler(input())).resolves.toEqual({
      launchTemplateId: templateId,
      version: 6,
      sourceVersion: 5,
      launchedAt: expect.any(String),
      resumedProcesses: [],
    });

    const versions = await templateVersions();
    expect(versions.size).toBe(6);
    // Everything but the AMI is the source version's (instance type, profile, tag specifications).
    expect(versions.get(6)).toEqual({ ...versions.get(5), ImageId: NEW_AMI });
    expect(green()).toMatchObject({
      min: 2,
      desired: 3,
      max: 6,
      launchTemplate: { id: templateId, version: '6' },
    });
    h.until(() => h.idsIn(h.green, 'InService').length === 3);
    expect(green().instances.map((instance) => [instance.amiId, instance.launchTemplateVersion])).toEqual([
      [NEW_AMI, '6'],
      [NEW_AMI, '6'],
      [NEW_AMI, '6'],
    ]);
  });

  it('uses a client token of at most 64 characters, stable per execution, group and AMI', async () => {
    const token = async (run: object) => {
      await account();
      await handler(input(run));
      const sent = h.inputs<{ ClientToken?: string }>('CreateLaunchTemplateVersion')[0]?.ClientToken;
      h.dispose();
      return sent;
    };

    const first = await token({});
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await token({})).toBe(first);
    expect(await token({ execution: { ...execution, id: `${execution.id}-2`, name: 'run-2' } })).not.toBe(
      first,
    );
    await account(); // for afterEach
  });

  it('resolves $Latest to a number and never points the group at $Latest', async () => {
    await account({ versions: 7, defaultVersion: 2, group: { launchTemplateVersion: '$Latest' } });

    await expect(handler(input())).resolves.toEqual({
      launchTemplateId: templateId,
      version: 8,
      sourceVersion: 7,
      launchedAt: expect.any(String),
      resumedProcesses: [],
    });
    expect(h.inputs('CreateLaunchTemplateVersion')).toEqual([
      expect.objectContaining({ SourceVersion: '7' }),
    ]);
    expect(green().launchTemplate.version).toBe('8');
  });

  it('copies the numbered version the group names, whatever the default', async () => {
    await account({ group: { launchTemplateVersion: '3' } });

    await expect(handler(input())).resolves.toEqual({
      launchTemplateId: templateId,
      version: 6,
      sourceVersion: 3,
      launchedAt: expect.any(String),
      resumedProcesses: [],
    });
    expect(h.inputs('DescribeLaunchTemplateVersions')).toEqual([
      expect.objectContaining({ LaunchTemplateId: templateId, Versions: ['3'] }),
    ]);
  });

  it('I6: a second run creates no second version and makes no change', async () => {
    await account();
    const first = await handler(input());
    h.forgetCalls();

    const second = await handler(input());

    expect(second).toEqual(first);
    expect(h.changes()).toEqual([]);
    expect((await templateVersions()).size).toBe(6);
  });

  it('I6: a run that died after creating the version gets the same version back on retry', async () => {
    await account({
      faults: {
        failAttempt: (operation) => operation === 'autoscaling:UpdateAutoScalingGroup' && 'server-error',
      },
    });
    await expect(handler(input())).rejects.toMatchObject({ name: 'TransientAwsError' });
    expect((await templateVersions()).size).toBe(6);
    expect(green().launchTemplate.version).toBe('$Default');

    h.account.setFaults({});
    await expect(handler(input())).resolves.toEqual({
      launchTemplateId: templateId,
      version: 6,
      sourceVersion: 5,
      launchedAt: expect.any(String),
      resumedProcesses: [],
    });

    expect((await templateVersions()).size).toBe(6);
    expect(green().launchTemplate.version).toBe('6');
  });

  it('reuses a current version that already carries the AMI (redeploying the same AMI)', async () => {
    // Version 4 carries the AMI already, and the group names it.
    await account({ versions: 3, group: { launchTemplateVersion: '4' } });
    await h.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: templateId,
        SourceVersion: '1',
        LaunchTemplateData: { ImageId: NEW_AMI },
      }),
    );
    h.forgetCalls();

    await expect(handler(input())).resolves.toEqual({
      launchTemplateId: templateId,
      version: 4,
      sourceVersion: 4,
      launchedAt: expect.any(String),
      resumedProcesses: [],
    });
    expect(h.changes()).toEqual(['UpdateAutoScalingGroup']);
    expect(green()).toMatchObject({ desired: 3, launchTemplate: { version: '4' } });
  });

  it('clears a stale operator request tag from the group, and only when there is one', async () => {
    await account();
    await h.tag(h.green, OPERATOR_REQUEST_TAG, 'rollback');

    await handler(input());
    expect(green().tags[OPERATOR_REQUEST_TAG]).toBeUndefined();
    expect(green().tags).toMatchObject({ Application: 'webapp', Color: 'green' });

    h.forgetCalls();
    await handler(input());
    expect(h.changes()).not.toContain('DeleteTags');
  });

  it('resumes the processes an interrupted deployment recorded as its own, reports them, and leaves the team’s suspended', async () => {
    await account({ standbySuspendedProcesses: ['AZRebalance', 'AlarmNotification', 'HealthCheck'] });
    await h.tag(h.green, SUSPENDED_BY_DEPLOYMENT_TAG, 'AZRebalance,AlarmNotification');

    const output = await handler(input());

    expect(output.resumedProcesses).toEqual([
      { groupName: 'webapp-green', processes: ['AZRebalance', 'AlarmNotification'] },
    ]);
    expect(green().suspendedProcesses).toEqual(['HealthCheck']);
    expect(green().tags[SUSPENDED_BY_DEPLOYMENT_TAG]).toBeUndefined();
    h.forgetCalls();
    expect((await handler(input())).resumedProcesses).toEqual([]);
    expect(h.changes()).toEqual([]);
  });

  it('resumes the processes an interrupted deployment recorded on the serving group too, and no other', async () => {
    await account({ activeSuspendedProcesses: ['AlarmNotification', 'ScheduledActions', 'HealthCheck'] });
    await h.tag(h.blue, SUSPENDED_BY_DEPLOYMENT_TAG, 'AlarmNotification,ScheduledActions');

    const output = await handler(input());

    expect(output.resumedProcesses).toEqual([
      { groupName: 'webapp-blue', processes: ['AlarmNotification', 'ScheduledActions'] },
    ]);
    expect(h.group(h.blue).suspendedProcesses).toEqual(['HealthCheck']);
    expect(h.group(h.blue).tags[SUSPENDED_BY_DEPLOYMENT_TAG]).toBeUndefined();
  });

  it('deploys into a mixed instances policy: the version goes where the group reads it, overrides and distribution kept', async () => {
    const policy = {
      overrides: [{ instanceType: 't3.micro' }, { instanceType: 't3a.micro' }],
      instancesDistribution: { onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 50 },
    };
    await account({ group: { mixedInstancesPolicy: policy } });
    const described = async () =>
      (await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [h.green] })))
        .AutoScalingGroups?.[0]?.MixedInstancesPolicy;
    const before = await described();

    await expect(handler(input())).resolves.toMatchObject({ version: 6, sourceVersion: 5 });

    const after = await described();
    expect(after?.LaunchTemplate?.LaunchTemplateSpecification).toMatchObject({
      LaunchTemplateId: templateId,
      Version: '6',
    });
    expect(after?.LaunchTemplate?.Overrides).toEqual(before?.LaunchTemplate?.Overrides);
    expect(after?.InstancesDistribution).toEqual(before?.InstancesDistribution);
    // Every instance type and purchase option launches the new AMI.
    h.until(() => h.idsIn(h.green, 'InService').length === capacity.desired);
    expect(new Set(green().instances.map((instance) => instance.amiId))).toEqual(new Set([NEW_AMI]));
    h.forgetCalls();
    await handler(input());
    expect(h.changes()).toEqual([]);
  });

  it('refuses a mixed instances policy whose overrides launch from another launch template, before changing anything', () => {
    expect(() =>
      launchTemplateOf({
        AutoScalingGroupName: 'webapp-green',
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0aaa', Version: '3' },
            Overrides: [
              { InstanceType: 'm5.large' },
              { InstanceType: 'm6g.large', LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0bbb' } },
            ],
          },
        },
      } as AutoScalingGroup),
    ).toThrow(/launches m6g\.large from a launch template of its own .* keep the old AMI/);
  });

  it('refuses a group with a launch configuration, saying what to change', async () => {
    await account({ group: { launchConfigurationName: 'webapp-lc-7' } });

    await expect(handler(input())).rejects.toMatchObject({
      name: 'UnsupportedGroupError',
      message: expect.stringMatching(
        /launch configuration "webapp-lc-7".*--launch-template LaunchTemplateId=/,
      ),
    });
    expect(h.changes()).toEqual([]);
  });

  it('a version the group names that does not exist is InconsistentAccountError', async () => {
    await account({ group: { launchTemplateVersion: '42' } });

    await expect(handler(input())).rejects.toMatchObject({
      name: 'InconsistentAccountError',
      message: expect.stringContaining(`Launch template ${templateId} has no version 42`),
    });
    expect(h.changes()).not.toContain('CreateLaunchTemplateVersion');
  });

  it('maps EC2 throttling to TransientAwsError and a token mismatch to AwsRequestError', async () => {
    await account();
    h.account.setFaults({
      failAttempt: (operation) => operation === 'ec2:CreateLaunchTemplateVersion' && 'throttling',
    });
    await expect(handler(input())).rejects.toMatchObject({ name: 'TransientAwsError' });
    expect(h.changes()).not.toContain('UpdateAutoScalingGroup');

    // The version is created but the group never pointed at it; then an operator changes the default, so
    // the retry asks for a version from another source under the same client token.
    h.account.setFaults({
      failAttempt: (operation) => operation === 'autoscaling:UpdateAutoScalingGroup' && 'server-error',
    });
    await expect(handler(input())).rejects.toMatchObject({ name: 'TransientAwsError' });
    await h.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templateId, DefaultVersion: '3' }));
    h.account.setFaults({});
    await expect(handler(input())).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringContaining('CreateLaunchTemplateVersion failed: IdempotentParameterMismatch'),
    });
  });

  it('I8: a malformed AMI id or an impossible capacity is rejected before any AWS call', async () => {
    await account();
    await expect(handler(input({ amiId: 'ami-123' }))).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(handler(input({ capacity: { min: 3, desired: 2, max: 4 } }))).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('capacity'),
    });
    expect(h.applied).toEqual([]);
  });
});
