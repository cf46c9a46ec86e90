import {
  AutoScalingClient,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type CreateLaunchTemplateVersionCommandInput,
  type DescribeLaunchTemplateVersionsCommandInput,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../lambdas/launch-new-version/handler';
import { logger } from '../../lambdas/shared/logger';

const autoScaling = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);

const OLD_AMI = 'ami-00000000000000001';
const NEW_AMI = 'ami-0123456789abcdef0';
const LT_ID = 'lt-0abc1234def567890';
const LT_NAME = 'webapp-green';
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
  ...overrides,
});

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

interface Version {
  number: number;
  imageId: string;
  description?: string;
}

/**
 * A small account: one launch template (versions numbered in creation order, $Default/$Latest resolved at
 * call time, client tokens honoured like EC2) and one group whose launch template and sizes change on update.
 */
class Account {
  versions: Version[] = [1, 2, 3, 4, 5].map((number) => ({ number, imageId: OLD_AMI }));
  defaultVersion = 5;
  tokens = new Map<string, { number: number; request: string }>();
  group: AutoScalingGroup;

  constructor(group: Partial<AutoScalingGroup> = {}) {
    this.group = {
      AutoScalingGroupName: 'webapp-green',
      MinSize: 0,
      DesiredCapacity: 0,
      MaxSize: 6,
      LaunchTemplate: { LaunchTemplateId: LT_ID, LaunchTemplateName: LT_NAME, Version: '$Default' },
      Instances: [],
      Tags: [],
      DefaultCooldown: 300,
      AvailabilityZones: ['us-east-1a'],
      HealthCheckType: 'ELB',
      CreatedTime: new Date('2024-01-01T00:00:00Z'),
      ...group,
    };
    autoScaling
      .on(DescribeAutoScalingGroupsCommand)
      .callsFake((request: { AutoScalingGroupNames?: string[] }) => ({
        AutoScalingGroups: request.AutoScalingGroupNames?.includes('webapp-green')
          ? [structuredClone(this.group)]
          : [],
      }));
    autoScaling.on(UpdateAutoScalingGroupCommand).callsFake((request: UpdateAutoScalingGroupCommandInput) => {
      if (request.LaunchTemplate) {
        this.group.LaunchTemplate = { ...request.LaunchTemplate, LaunchTemplateName: LT_NAME };
      }
      this.group.MinSize = request.MinSize ?? this.group.MinSize;
      this.group.DesiredCapacity = request.DesiredCapacity ?? this.group.DesiredCapacity;
      this.group.MaxSize = request.MaxSize ?? this.group.MaxSize;
      return {};
    });
    autoScaling.on(DeleteTagsCommand).callsFake((request: { Tags?: { Key?: string }[] }) => {
      const keys = new Set(request.Tags?.map((tag) => tag.Key));
      this.group.Tags = this.group.Tags?.filter((tag) => !keys.has(tag.Key));
      return {};
    });
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .callsFake((request: DescribeLaunchTemplateVersionsCommandInput) => {
        if (request.LaunchTemplateId !== LT_ID && request.LaunchTemplateName !== LT_NAME) {
          throw awsError('InvalidLaunchTemplateId.NotFound', 'The specified launch template does not exist');
        }
        const version = this.resolve(request.Versions?.[0] ?? '$Default');
        if (!version) throw awsError('InvalidLaunchTemplateId.VersionNotFound', 'Could not find the version');
        return {
          LaunchTemplateVersions: [
            {
              LaunchTemplateId: LT_ID,
              LaunchTemplateName: LT_NAME,
              VersionNumber: version.number,
              VersionDescription: version.description,
              DefaultVersion: version.number === this.defaultVersion,
              LaunchTemplateData: { ImageId: version.imageId, InstanceType: 't3.micro' },
            },
          ],
        };
      });
    ec2
      .on(CreateLaunchTemplateVersionCommand)
      .callsFake((request: CreateLaunchTemplateVersionCommandInput) => {
        const fingerprint = JSON.stringify([request.SourceVersion, request.LaunchTemplateData]);
        const earlier = request.ClientToken ? this.tokens.get(request.ClientToken) : undefined;
        if (earlier && earlier.request !== fingerprint) {
          throw awsError(
            'IdempotentParameterMismatch',
            'The client token was used with different parameters',
          );
        }
        if (!earlier) {
          if (!this.resolve(request.SourceVersion ?? ''))
            throw awsError('InvalidLaunchTemplateId.VersionNotFound', 'x');
          const created: Version = {
            number: this.versions.length + 1,
            imageId: request.LaunchTemplateData?.ImageId ?? OLD_AMI,
            description: request.VersionDescription,
          };
          this.versions.push(created);
          if (request.ClientToken)
            this.tokens.set(request.ClientToken, { number: created.number, request: fingerprint });
        }
        const number = earlier?.number ?? this.versions.length;
        return { LaunchTemplateVersion: { LaunchTemplateId: LT_ID, VersionNumber: number } };
      });
  }

  resolve(spec: string): Version | undefined {
    const number =
      spec === '$Latest' ? this.versions.length : spec === '$Default' ? this.defaultVersion : Number(spec);
    return this.versions.find((version) => version.number === number);
  }
}

const mutations = () => [
  ...autoScaling.commandCalls(UpdateAutoScalingGroupCommand),
  ...autoScaling.commandCalls(DeleteTagsCommand),
  ...ec2.commandCalls(CreateLaunchTemplateVersionCommand),
];

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  autoScaling.reset();
  ec2.reset();
});

describe('launch-new-version', () => {
  it('creates a version from the resolved current one with the new AMI and points the group at it by number', async () => {
    const account = new Account();

    await expect(handler(input())).resolves.toEqual({
      launchTemplateId: LT_ID,
      version: 6,
      sourceVersion: 5,
    });

    expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, {
      LaunchTemplateId: LT_ID,
      Versions: ['$Default'],
    });
    expect(ec2).toHaveReceivedCommandWith(CreateLaunchTemplateVersionCommand, {
      LaunchTemplateId: LT_ID,
      SourceVersion: '5',
      LaunchTemplateData: { ImageId: NEW_AMI },
    });
    expect(autoScaling).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'webapp-green',
      LaunchTemplate: { LaunchTemplateId: LT_ID, Version: '6' },
      MinSize: 2,
      DesiredCapacity: 3,
      MaxSize: 6,
    });
    expect(account.group.LaunchTemplate?.Version).toBe('6');
    expect(account.versions[5]).toMatchObject({ number: 6, imageId: NEW_AMI });
  });

  it('uses a client token of at most 64 characters, stable per execution, group and AMI', async () => {
    new Account();
    await handler(input());
    const token = ec2.commandCalls(CreateLaunchTemplateVersionCommand)[0]!.args[0].input.ClientToken ?? '';
    expect(token).toMatch(/^[0-9a-f]{64}$/);

    ec2.reset();
    autoScaling.reset();
    new Account();
    await handler(input({ execution: { ...execution, id: `${execution.id}-2`, name: 'run-2' } }));
    const other = ec2.commandCalls(CreateLaunchTemplateVersionCommand)[0]!.args[0].input.ClientToken;
    expect(other).not.toBe(token);
  });

  it('resolves $Latest to a number and never points the group at $Latest', async () => {
    const account = new Account({
      LaunchTemplate: { LaunchTemplateId: LT_ID, LaunchTemplateName: LT_NAME, Version: '$Latest' },
    });
    account.versions.push({ number: 6, imageId: OLD_AMI }, { number: 7, imageId: OLD_AMI });

    await expect(handler(input())).resolves.toEqual({
      launchTemplateId: LT_ID,
      version: 8,
      sourceVersion: 7,
    });
    expect(ec2).toHaveReceivedCommandWith(CreateLaunchTemplateVersionCommand, { SourceVersion: '7' });
    const update = autoScaling.commandCalls(UpdateAutoScalingGroupCommand)[0]!.args[0].input;
    expect(update.LaunchTemplate?.Version).toBe('8');
  });

  it('finds a template the group names only by name', async () => {
    new Account({ LaunchTemplate: { LaunchTemplateName: LT_NAME, Version: '3' } });
    await expect(handler(input())).resolves.toEqual({
      launchTemplateId: LT_ID,
      version: 6,
      sourceVersion: 3,
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, {
      LaunchTemplateName: LT_NAME,
      Versions: ['3'],
    });
  });

  it('I6: a second run creates no second version and makes no mutating call', async () => {
    const account = new Account();
    const first = await handler(input());
    autoScaling.resetHistory();
    ec2.resetHistory();

    const second = await handler(input());

    expect(second).toEqual(first);
    expect(mutations()).toHaveLength(0);
    expect(account.versions).toHaveLength(6);
  });

  it('I6: a run that died after creating the version gets the same version back on retry', async () => {
    const account = new Account();
    autoScaling.on(UpdateAutoScalingGroupCommand).rejectsOnce(awsError('Throttling', 'Rate exceeded'));
    await expect(handler(input())).rejects.toMatchObject({ name: 'TransientAwsError' });
    expect(account.versions).toHaveLength(6);
    expect(account.group.LaunchTemplate?.Version).toBe('$Default');

    // Restore the group's behaviour (the fake's UpdateAutoScalingGroup) and run the step again.
    autoScaling.reset();
    ec2.reset();
    const retry = new Account();
    retry.versions = account.versions;
    retry.tokens = account.tokens;
    await expect(handler(input())).resolves.toEqual({
      launchTemplateId: LT_ID,
      version: 6,
      sourceVersion: 5,
    });
    expect(retry.versions).toHaveLength(6);
    expect(retry.group.LaunchTemplate?.Version).toBe('6');
  });

  it('reuses a current version that already carries the AMI (redeploying the same AMI)', async () => {
    const account = new Account({ LaunchTemplate: { LaunchTemplateId: LT_ID, Version: '4' } });
    account.versions[3]!.imageId = NEW_AMI;

    await expect(handler(input())).resolves.toEqual({
      launchTemplateId: LT_ID,
      version: 4,
      sourceVersion: 4,
    });
    expect(ec2).not.toHaveReceivedCommand(CreateLaunchTemplateVersionCommand);
    expect(autoScaling).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      LaunchTemplate: { LaunchTemplateId: LT_ID, Version: '4' },
      DesiredCapacity: 3,
    });
  });

  it('clears a stale operator request tag from the group, and only when there is one', async () => {
    const account = new Account({
      Tags: [
        {
          Key: 'blue-green:operator-request',
          Value: 'rollback',
          ResourceId: 'webapp-green',
          ResourceType: 'auto-scaling-group',
          PropagateAtLaunch: false,
        },
      ],
    });
    await handler(input());
    expect(autoScaling).toHaveReceivedCommandWith(DeleteTagsCommand, {
      Tags: [
        {
          ResourceId: 'webapp-green',
          ResourceType: 'auto-scaling-group',
          Key: 'blue-green:operator-request',
        },
      ],
    });
    expect(account.group.Tags).toEqual([]);

    autoScaling.resetHistory();
    await handler(input());
    expect(autoScaling).not.toHaveReceivedCommand(DeleteTagsCommand);
  });

  it('refuses a group with a mixed instances policy before changing anything', async () => {
    new Account({
      LaunchTemplate: undefined,
      MixedInstancesPolicy: {
        LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: LT_ID, Version: '$Default' } },
      },
    });
    await expect(handler(input())).rejects.toMatchObject({
      name: 'UnsupportedGroupError',
      message: expect.stringContaining('mixed instances policy'),
    });
    expect(ec2.calls()).toHaveLength(0);
    expect(mutations()).toHaveLength(0);
  });

  it('refuses a group with a launch configuration, saying what to change', async () => {
    new Account({ LaunchTemplate: undefined, LaunchConfigurationName: 'webapp-lc-7' });
    await expect(handler(input())).rejects.toMatchObject({
      name: 'UnsupportedGroupError',
      message: expect.stringMatching(
        /launch configuration "webapp-lc-7".*--launch-template LaunchTemplateId=/,
      ),
    });
    expect(mutations()).toHaveLength(0);
  });

  it('a version the group names that does not exist is InconsistentAccountError', async () => {
    new Account({ LaunchTemplate: { LaunchTemplateId: LT_ID, Version: '42' } });
    await expect(handler(input())).rejects.toMatchObject({
      name: 'InconsistentAccountError',
      message: expect.stringContaining(`Launch template ${LT_ID} has no version 42`),
    });
    expect(ec2).not.toHaveReceivedCommand(CreateLaunchTemplateVersionCommand);
  });

  it('maps EC2 throttling to TransientAwsError and a token mismatch to AwsRequestError', async () => {
    new Account();
    ec2
      .on(CreateLaunchTemplateVersionCommand)
      .rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    await expect(handler(input())).rejects.toMatchObject({ name: 'TransientAwsError' });
    expect(autoScaling).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);

    ec2.on(CreateLaunchTemplateVersionCommand).rejects(awsError('IdempotentParameterMismatch', 'mismatch'));
    await expect(handler(input())).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringContaining('CreateLaunchTemplateVersion'),
    });
  });

  it('I8: a malformed AMI id or an impossible capacity is rejected before any AWS call', async () => {
    new Account();
    await expect(handler(input({ amiId: 'ami-123' }))).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(handler(input({ capacity: { min: 3, desired: 2, max: 4 } }))).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('capacity'),
    });
    expect(autoScaling.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });
});
