import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeTrafficSourcesCommand,
  type AutoScalingGroup,
  type Instance,
  type TrafficSourceState,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../lambdas/resolve-roles/handler';
import { logger } from '../../lambdas/shared/logger';
import { settingsSchema } from '../../lambdas/shared/settings';

const autoScaling = mockClient(AutoScalingClient);

const MAIN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-main/0123456789abcdef';
const SYNTHETIC =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-syn/fedcba9876543210';
const baseConfig = {
  applicationName: 'webapp',
  groups: { blue: 'webapp-blue', green: 'webapp-green' },
  targetGroups: { main: MAIN, synthetic: SYNTHETIC },
  amiSelector: { tag: { key: 'Application', value: 'webapp' } },
  syntheticChecks: { endpoint: 'http://alb.example.com', checks: [{ path: '/health' }] },
  monitoring: { alarmNames: [] },
};
const settings = (extra: object = {}) => settingsSchema.parse({ ...baseConfig, ...extra });

function instances(count: number, state: string, prefix = 'i-'): Instance[] {
  return Array.from({ length: count }, (_, index) => ({
    InstanceId: `${prefix}${String(index).padStart(8, '0')}`,
    LifecycleState: state as Instance['LifecycleState'],
    HealthStatus: 'Healthy',
    AvailabilityZone: 'us-east-1a',
    ProtectedFromScaleIn: false,
  }));
}

function group(name: string, capacity: [number, number, number], members: Instance[] = []): AutoScalingGroup {
  const [min, desired, max] = capacity;
  return {
    AutoScalingGroupName: name,
    MinSize: min,
    DesiredCapacity: desired,
    MaxSize: max,
    Instances: members,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a'],
    HealthCheckType: 'ELB',
    CreatedTime: new Date('2024-01-01T00:00:00Z'),
  };
}

interface Account {
  groups: AutoScalingGroup[];
  attached?: Record<string, { arn: string; state: TrafficSourceState['State'] }[]>;
  /** Traffic sources per DescribeTrafficSources page, to exercise pagination. */
  pageSize?: number;
}

function givenAccount({ groups, attached = {}, pageSize = 50 }: Account): void {
  autoScaling
    .on(DescribeAutoScalingGroupsCommand)
    .callsFake((input: { AutoScalingGroupNames?: string[] }) => ({
      AutoScalingGroups: groups.filter((candidate) =>
        input.AutoScalingGroupNames?.includes(candidate.AutoScalingGroupName ?? ''),
      ),
    }));
  autoScaling
    .on(DescribeTrafficSourcesCommand)
    .callsFake((input: { AutoScalingGroupName?: string; NextToken?: string }) => {
      const all = attached[input.AutoScalingGroupName ?? ''] ?? [];
      const start = Number(input.NextToken ?? 0);
      return {
        TrafficSources: all.slice(start, start + pageSize).map((source) => ({
          Identifier: source.arn,
          Type: 'elbv2',
          State: source.state,
          TrafficSource: source.arn,
        })),
        NextToken: start + pageSize < all.length ? String(start + pageSize) : undefined,
      };
    });
}

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

const READ_ONLY = new Set(['DescribeAutoScalingGroupsCommand', 'DescribeTrafficSourcesCommand']);
const onlyReads = () => autoScaling.calls().every((call) => READ_ONLY.has(call.args[0].constructor.name));

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => autoScaling.reset());

describe('resolve-roles', () => {
  it('the group attached to the main target group is active; the other is standby', async () => {
    givenAccount({
      groups: [group('webapp-blue', [2, 3, 6], instances(3, 'InService')), group('webapp-green', [0, 0, 6])],
      attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
    });

    await expect(handler({ settings: settings() })).resolves.toEqual({
      firstDeployment: false,
      active: { groupName: 'webapp-blue', capacity: { min: 2, desired: 3, max: 6 }, instanceCount: 3 },
      standby: { groupName: 'webapp-green' },
      targetCapacity: { min: 2, desired: 3, max: 6 },
    });
    expect(autoScaling).toHaveReceivedCommandWith(DescribeTrafficSourcesCommand, {
      AutoScalingGroupName: 'webapp-blue',
      TrafficSourceType: 'elbv2',
    });
    expect(onlyReads()).toBe(true);
  });

  it('discovers green as active just as well (roles are never configured)', async () => {
    givenAccount({
      groups: [group('webapp-blue', [0, 0, 4]), group('webapp-green', [1, 2, 4], instances(2, 'InService'))],
      attached: {
        'webapp-green': [
          { arn: SYNTHETIC, state: 'Removed' },
          { arn: MAIN, state: 'InService' },
        ],
      },
    });
    const roles = await handler({ settings: settings() });
    expect(roles.active?.groupName).toBe('webapp-green');
    expect(roles.standby.groupName).toBe('webapp-blue');
  });

  it("configured capacity wins over the active group's sizes", async () => {
    givenAccount({
      groups: [group('webapp-blue', [2, 3, 6], instances(3, 'InService')), group('webapp-green', [0, 0, 6])],
      attached: { 'webapp-blue': [{ arn: MAIN, state: 'Added' }] },
    });
    const roles = await handler({ settings: settings({ capacity: { min: 4, desired: 4, max: 8 } }) });
    expect(roles.targetCapacity).toEqual({ min: 4, desired: 4, max: 8 });
  });

  it('first deployment: no group serves, the configured first group is standby with the initial capacity', async () => {
    givenAccount({ groups: [group('webapp-blue', [0, 0, 4]), group('webapp-green', [0, 0, 4])] });
    await expect(handler({ settings: settings() })).resolves.toEqual({
      firstDeployment: true,
      active: null,
      standby: { groupName: 'webapp-blue' },
      targetCapacity: { min: 1, desired: 2, max: 4 },
    });

    const green = await handler({
      settings: settings({ firstDeploymentGroup: 'green', initialCapacity: { min: 2, desired: 2, max: 2 } }),
    });
    expect(green.standby.groupName).toBe('webapp-green');
    expect(green.targetCapacity).toEqual({ min: 2, desired: 2, max: 2 });
  });

  it('a group on its way out of the main target group (Removing/Removed) does not serve', async () => {
    givenAccount({
      groups: [group('webapp-blue', [0, 0, 4]), group('webapp-green', [1, 1, 4], instances(1, 'InService'))],
      attached: {
        'webapp-blue': [{ arn: MAIN, state: 'Removing' }],
        'webapp-green': [{ arn: MAIN, state: 'Adding' }],
      },
    });
    const roles = await handler({ settings: settings() });
    expect(roles.active?.groupName).toBe('webapp-green');
  });

  it('a group attached to the main target group with the older API (TargetGroupARNs only) is active, never standby', async () => {
    // AttachLoadBalancerTargetGroups, or CloudFormation's TargetGroupARNs, show in the group's own
    // TargetGroupARNs; DescribeTrafficSources is not documented to list them.
    givenAccount({
      groups: [
        { ...group('webapp-blue', [2, 3, 6], instances(3, 'InService')), TargetGroupARNs: [MAIN] },
        group('webapp-green', [0, 0, 6]),
      ],
      attached: {},
    });
    await expect(handler({ settings: settings({ firstDeploymentGroup: 'blue' }) })).resolves.toEqual({
      firstDeployment: false,
      active: { groupName: 'webapp-blue', capacity: { min: 2, desired: 3, max: 6 }, instanceCount: 3 },
      standby: { groupName: 'webapp-green' },
      targetCapacity: { min: 2, desired: 3, max: 6 },
    });
    expect(onlyReads()).toBe(true);
  });

  it('I2: a standby group attached to anything by the older API is refused, like one attached by AttachTrafficSources', async () => {
    const other = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other/0123456789abcdef';
    givenAccount({
      groups: [
        group('webapp-blue', [2, 3, 6], instances(3, 'InService')),
        { ...group('webapp-green', [0, 0, 6]), TargetGroupARNs: [other] },
      ],
      attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
    });
    await expect(handler({ settings: settings() })).rejects.toThrow(
      `webapp-green is about to receive the new version but is attached to ${other}`,
    );
  });

  it('both groups on the main target group, one through each API, is an interrupted deployment, not two roles', async () => {
    givenAccount({
      groups: [
        group('webapp-blue', [1, 1, 2], instances(1, 'InService')),
        { ...group('webapp-green', [1, 1, 2], instances(1, 'InService', 'i-g')), TargetGroupARNs: [MAIN] },
      ],
      attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
    });
    await expect(handler({ settings: settings() })).rejects.toThrow(
      `Both webapp-blue and webapp-green are attached to the main target group ${MAIN}`,
    );
  });

  it('a target group DescribeTrafficSources shows leaving does not count, though TargetGroupARNs still names it', async () => {
    givenAccount({
      groups: [
        { ...group('webapp-blue', [0, 0, 4]), TargetGroupARNs: [MAIN] },
        group('webapp-green', [1, 1, 4], instances(1, 'InService')),
      ],
      attached: {
        'webapp-blue': [{ arn: MAIN, state: 'Removing' }],
        'webapp-green': [{ arn: MAIN, state: 'InService' }],
      },
    });
    const roles = await handler({ settings: settings() });
    expect(roles.active?.groupName).toBe('webapp-green');
    expect(roles.standby.groupName).toBe('webapp-blue');
  });

  it('I7: follows DescribeTrafficSources pages to find the main target group', async () => {
    // Recently detached sources stay listed as Removed for a while: they page, but do not count as attached.
    const others = Array.from({ length: 120 }, (_, index) => ({
      arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other-${index}/0${index}`,
      state: 'Removed' as const,
    }));
    givenAccount({
      groups: [group('webapp-blue', [1, 1, 2], instances(1, 'InService')), group('webapp-green', [0, 0, 2])],
      attached: { 'webapp-blue': [...others, { arn: MAIN, state: 'InService' }] },
    });
    const roles = await handler({ settings: settings() });
    expect(roles.active?.groupName).toBe('webapp-blue');
    expect(autoScaling).toHaveReceivedCommandWith(DescribeTrafficSourcesCommand, {
      AutoScalingGroupName: 'webapp-blue',
      NextToken: '100',
    });
  });

  it('I7: 250 instances come out as counts, not lists', async () => {
    givenAccount({
      groups: [
        group('webapp-blue', [250, 250, 300], instances(250, 'InService')),
        group('webapp-green', [0, 0, 300]),
      ],
      attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
    });
    const roles = await handler({ settings: settings() });
    expect(roles.active?.instanceCount).toBe(250);
    expect(JSON.stringify(roles).length).toBeLessThan(400);
  });

  describe('I1/I4: refuses an account it cannot safely deploy from, with a recovery command', () => {
    it('both groups attached to the main target group', async () => {
      givenAccount({
        groups: [
          group('webapp-blue', [1, 1, 2], instances(1, 'InService')),
          group('webapp-green', [1, 1, 2], instances(1, 'InService', 'i-g')),
        ],
        attached: {
          'webapp-blue': [{ arn: MAIN, state: 'InService' }],
          'webapp-green': [{ arn: MAIN, state: 'InService' }],
        },
      });
      const failure = handler({ settings: settings() });
      await expect(failure).rejects.toMatchObject({ name: 'InconsistentAccountError' });
      await expect(failure).rejects.toThrow(
        `Both webapp-blue and webapp-green are attached to the main target group ${MAIN}`,
      );
      await expect(failure).rejects.toThrow(
        `aws autoscaling detach-traffic-sources --auto-scaling-group-name webapp-green --traffic-sources Identifier=${MAIN},Type=elbv2`,
      );
      expect(onlyReads()).toBe(true);
    });

    it('I1: a stopped deployment (old fleet parked, new one serving): the hint never detaches the only group in service', async () => {
      givenAccount({
        groups: [
          group('webapp-blue', [0, 0, 6], instances(3, 'Standby')),
          group('webapp-green', [2, 3, 6], instances(3, 'InService', 'i-g')),
        ],
        attached: {
          'webapp-blue': [{ arn: MAIN, state: 'InService' }],
          'webapp-green': [{ arn: MAIN, state: 'InService' }],
        },
      });
      const failure = handler({ settings: settings() });
      await expect(failure).rejects.toThrow('Only webapp-green is in service: keep it attached.');
      await expect(failure).rejects.toThrow(
        `aws autoscaling detach-traffic-sources --auto-scaling-group-name webapp-blue --traffic-sources Identifier=${MAIN},Type=elbv2`,
      );
      await expect(failure).rejects.not.toThrow(
        `--auto-scaling-group-name webapp-green --traffic-sources Identifier=${MAIN}`,
      );
      // Runnable as printed, in order: the parked group leaves, its instances return to a group attached to
      // nothing, and it is emptied.
      await expect(failure).rejects.toThrow(
        `aws autoscaling detach-traffic-sources --auto-scaling-group-name webapp-blue --traffic-sources Identifier=${MAIN},Type=elbv2; ` +
          'aws autoscaling exit-standby --auto-scaling-group-name webapp-blue --instance-ids i-00000000 i-00000001 i-00000002; ' +
          'aws autoscaling update-auto-scaling-group --auto-scaling-group-name webapp-blue --min-size 0 --desired-capacity 0; ' +
          'then start the deployment again.',
      );
      expect(onlyReads()).toBe(true);
    });

    it('I1: the parked group has Launch suspended and no room: the hint resumes it and raises MaxSize before ExitStandby', async () => {
      givenAccount({
        groups: [
          {
            ...group('webapp-blue', [0, 1, 2], instances(2, 'Standby')),
            SuspendedProcesses: [{ ProcessName: 'Launch', SuspensionReason: 'User suspended' }],
          },
          group('webapp-green', [2, 2, 6], instances(2, 'InService', 'i-g')),
        ],
        attached: {
          'webapp-blue': [{ arn: MAIN, state: 'InService' }],
          'webapp-green': [{ arn: MAIN, state: 'InService' }],
        },
      });
      await expect(handler({ settings: settings() })).rejects.toThrow(
        'aws autoscaling resume-processes --auto-scaling-group-name webapp-blue --scaling-processes Launch; ' +
          'aws autoscaling update-auto-scaling-group --auto-scaling-group-name webapp-blue --max-size 3; ' +
          'aws autoscaling exit-standby --auto-scaling-group-name webapp-blue --instance-ids i-00000000 i-00000001;',
      );
    });

    it('I1: both in service, the new one on the synthetic target group: the one that served before stays', async () => {
      givenAccount({
        groups: [
          group('webapp-blue', [1, 1, 2], instances(1, 'InService')),
          group('webapp-green', [1, 1, 2], instances(1, 'InService', 'i-g')),
        ],
        attached: {
          'webapp-blue': [{ arn: MAIN, state: 'InService' }],
          'webapp-green': [
            { arn: MAIN, state: 'InService' },
            { arn: SYNTHETIC, state: 'InService' },
          ],
        },
      });
      const failure = handler({ settings: settings() });
      await expect(failure).rejects.toThrow(
        'so webapp-blue, which served before it, stays: keep it attached.',
      );
      await expect(failure).rejects.not.toThrow(`--auto-scaling-group-name webapp-blue --traffic-sources`);
    });

    it('nothing in service in either group: one is brought into service before the other leaves', async () => {
      givenAccount({
        groups: [group('webapp-blue', [0, 0, 2]), group('webapp-green', [0, 0, 2])],
        attached: {
          'webapp-blue': [{ arn: MAIN, state: 'InService' }],
          'webapp-green': [{ arn: MAIN, state: 'InService' }],
        },
      });
      await expect(handler({ settings: settings() })).rejects.toThrow(
        'aws autoscaling update-auto-scaling-group --auto-scaling-group-name webapp-blue --min-size 1 --max-size 4 --desired-capacity 2; ' +
          `aws elbv2 wait target-in-service --target-group-arn ${MAIN}; ` +
          `aws autoscaling detach-traffic-sources --auto-scaling-group-name webapp-green --traffic-sources Identifier=${MAIN},Type=elbv2;`,
      );
    });

    it('I2/I4: the active group is still attached to the synthetic target group (an interrupted deployment)', async () => {
      givenAccount({
        groups: [
          group('webapp-blue', [1, 2, 4], instances(2, 'InService')),
          group('webapp-green', [0, 0, 4]),
        ],
        attached: {
          'webapp-blue': [
            { arn: MAIN, state: 'InService' },
            { arn: SYNTHETIC, state: 'InService' },
          ],
        },
      });
      const failure = handler({ settings: settings() });
      await expect(failure).rejects.toMatchObject({ name: 'InconsistentAccountError' });
      await expect(failure).rejects.toThrow('webapp-blue serves production but is also attached to');
      await expect(failure).rejects.toThrow(
        `aws autoscaling detach-traffic-sources --auto-scaling-group-name webapp-blue --traffic-sources Identifier=${SYNTHETIC},Type=elbv2`,
      );
      expect(onlyReads()).toBe(true);
    });

    it('I2: the standby group is attached to another target group (it would take traffic before its checks)', async () => {
      const other = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/internal/0abc';
      givenAccount({
        groups: [
          group('webapp-blue', [1, 2, 4], instances(2, 'InService')),
          group('webapp-green', [0, 0, 4]),
        ],
        attached: {
          'webapp-blue': [{ arn: MAIN, state: 'InService' }],
          'webapp-green': [{ arn: other, state: 'Added' }],
        },
      });
      await expect(handler({ settings: settings() })).rejects.toThrow(
        `webapp-green is about to receive the new version but is attached to ${other}`,
      );
      await expect(handler({ settings: settings() })).rejects.toThrow(
        `aws autoscaling detach-traffic-sources --auto-scaling-group-name webapp-green --traffic-sources Identifier=${other},Type=elbv2`,
      );
    });

    it('I1 (issue 8, finding 3): the main target group of the configuration is not the one that serves: no command detaches the serving group', async () => {
      const missing =
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-gone/00000000deadbeef';
      givenAccount({
        groups: [
          group('webapp-blue', [2, 3, 6], instances(3, 'InService')),
          group('webapp-green', [0, 0, 6]),
        ],
        attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
      });
      const failure = handler({
        settings: settings({ targetGroups: { main: missing, synthetic: SYNTHETIC } }),
      });
      await expect(failure).rejects.toMatchObject({ name: 'InconsistentAccountError' });
      await expect(failure).rejects.toThrow(`set deployment.targetGroups.main to it`);
      await expect(failure).rejects.not.toThrow(/aws /);
      expect(onlyReads()).toBe(true);
    });

    it('I1: the standby group serves another target group while a group is active: no command detaches it', async () => {
      const other = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/internal/0abc';
      givenAccount({
        groups: [
          group('webapp-blue', [1, 2, 4], instances(2, 'InService')),
          group('webapp-green', [1, 1, 4], instances(1, 'InService', 'i-g')),
        ],
        attached: {
          'webapp-blue': [{ arn: MAIN, state: 'InService' }],
          'webapp-green': [{ arn: other, state: 'InService' }],
        },
      });
      const failure = handler({ settings: settings() });
      await expect(failure).rejects.toThrow('proposes no command that detaches it');
      await expect(failure).rejects.not.toThrow(/aws /);
    });

    it('I2: both groups share one launch template and production launches $Latest', async () => {
      const shared = { LaunchTemplateId: 'lt-0123456789abcdef0', LaunchTemplateName: 'webapp' };
      givenAccount({
        groups: [
          {
            ...group('webapp-blue', [1, 2, 4], instances(2, 'InService')),
            LaunchTemplate: { ...shared, Version: '$Latest' },
          },
          { ...group('webapp-green', [0, 0, 4]), LaunchTemplate: { ...shared, Version: '7' } },
        ],
        attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
      });
      await expect(handler({ settings: settings() })).rejects.toThrow(
        /share a launch template and webapp-blue launches its \$Latest version/,
      );
    });

    it('I2: shared template on $Latest: the hint pins production to the version its instances run', async () => {
      const shared = { LaunchTemplateId: 'lt-0123456789abcdef0', LaunchTemplateName: 'webapp' };
      givenAccount({
        groups: [
          {
            ...group(
              'webapp-blue',
              [1, 2, 4],
              instances(2, 'InService').map((instance, index) => ({
                ...instance,
                LaunchTemplate: { ...shared, Version: String(6 + index) },
              })),
            ),
            LaunchTemplate: { ...shared, Version: '$Latest' },
          },
          { ...group('webapp-green', [0, 0, 4]), LaunchTemplate: { ...shared, Version: '7' } },
        ],
        attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
      });
      await expect(handler({ settings: settings() })).rejects.toThrow(
        'aws autoscaling update-auto-scaling-group --auto-scaling-group-name webapp-blue --launch-template LaunchTemplateId=lt-0123456789abcdef0,Version=7;',
      );
    });

    it('the active group holds Standby instances (an interrupted deployment)', async () => {
      givenAccount({
        groups: [
          group('webapp-blue', [1, 2, 4], [...instances(2, 'InService'), ...instances(2, 'Standby', 'i-s')]),
          group('webapp-green', [0, 0, 4]),
        ],
        attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
      });
      await expect(handler({ settings: settings() })).rejects.toMatchObject({
        name: 'InconsistentAccountError',
        message: expect.stringContaining(
          'aws autoscaling exit-standby --auto-scaling-group-name webapp-blue --instance-ids i-s00000000 i-s00000001',
        ),
      });
    });

    it('I7: 250 Standby instances: the hint quotes at most 20 ids and counts the rest', async () => {
      givenAccount({
        groups: [
          group(
            'webapp-blue',
            [1, 1, 300],
            [...instances(1, 'InService'), ...instances(250, 'Standby', 'i-s')],
          ),
          group('webapp-green', [0, 0, 300]),
        ],
        attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
      });
      const error = await handler({ settings: settings() }).catch((caught: Error) => caught);
      expect(error).toMatchObject({ name: 'InconsistentAccountError' });
      const message = (error as Error).message;
      expect(message.match(/i-s\d{8}/g)).toHaveLength(20);
      expect(message).toContain('250 in Standby');
      expect(message).toContain('repeat for the other 230');
    });

    it('the active group has instances still entering Standby', async () => {
      givenAccount({
        groups: [
          group(
            'webapp-blue',
            [1, 1, 4],
            [...instances(1, 'InService'), ...instances(1, 'EnteringStandby', 'i-e')],
          ),
          group('webapp-green', [0, 0, 4]),
        ],
        attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
      });
      await expect(handler({ settings: settings() })).rejects.toThrow(/1 entering Standby.*Wait until/);
    });

    it('the active group has no InService instance', async () => {
      givenAccount({
        groups: [
          group('webapp-blue', [0, 0, 4], instances(1, 'Terminating')),
          group('webapp-green', [0, 0, 4]),
        ],
        attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
      });
      await expect(handler({ settings: settings() })).rejects.toMatchObject({
        name: 'InconsistentAccountError',
        message: expect.stringContaining('webapp-blue is attached to the main target group'),
      });
    });

    it('the standby group holds Standby instances (scale-in would never empty it)', async () => {
      givenAccount({
        groups: [
          group('webapp-blue', [1, 1, 4], instances(1, 'InService')),
          group('webapp-green', [0, 0, 4], instances(3, 'Standby', 'i-g')),
        ],
        attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
      });
      await expect(handler({ settings: settings() })).rejects.toMatchObject({
        name: 'InconsistentAccountError',
        message: expect.stringContaining(
          'aws autoscaling exit-standby --auto-scaling-group-name webapp-green',
        ),
      });
    });

    it('the first-deployment group holds Standby instances', async () => {
      givenAccount({
        groups: [group('webapp-blue', [0, 0, 4], instances(1, 'Standby')), group('webapp-green', [0, 0, 4])],
      });
      await expect(handler({ settings: settings() })).rejects.toMatchObject({
        name: 'InconsistentAccountError',
      });
    });

    it('a configured group does not exist', async () => {
      givenAccount({ groups: [group('webapp-blue', [0, 0, 4])] });
      const failure = handler({ settings: settings() });
      await expect(failure).rejects.toMatchObject({ name: 'InconsistentAccountError' });
      await expect(failure).rejects.toThrow(/"webapp-green" does not exist/);
      expect(autoScaling).not.toHaveReceivedCommand(DescribeTrafficSourcesCommand);
    });
  });

  it('maps throttling to TransientAwsError and a validation error to AwsRequestError', async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).rejectsOnce(awsError('Throttling', 'Rate exceeded'));
    await expect(handler({ settings: settings() })).rejects.toMatchObject({ name: 'TransientAwsError' });

    autoScaling.reset();
    givenAccount({ groups: [group('webapp-blue', [0, 0, 4]), group('webapp-green', [0, 0, 4])] });
    autoScaling.on(DescribeTrafficSourcesCommand).rejects(awsError('ValidationError', 'bad request'));
    await expect(handler({ settings: settings() })).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringContaining('DescribeTrafficSources'),
    });
  });

  it('I6: a second run gives the same roles and changes nothing', async () => {
    givenAccount({
      groups: [group('webapp-blue', [2, 3, 6], instances(3, 'InService')), group('webapp-green', [0, 0, 6])],
      attached: { 'webapp-blue': [{ arn: MAIN, state: 'InService' }] },
    });
    const first = await handler({ settings: settings() });
    const second = await handler({ settings: settings() });
    expect(second).toEqual(first);
    expect(onlyReads()).toBe(true);
  });

  it('rejects malformed settings before any AWS call', async () => {
    await expect(handler({ settings: { ...baseConfig, groups: { blue: 'x' } } })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    expect(autoScaling.calls()).toHaveLength(0);
  });
});
