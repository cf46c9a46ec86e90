import {
  AttachLoadBalancerTargetGroupsCommand,
  AttachTrafficSourcesCommand,
  DetachLoadBalancerTargetGroupsCommand,
  DetachTrafficSourcesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import { handler } from '../../lambdas/resolve-roles/handler';
import { settingsSchema, type SettingsInput } from '../../lambdas/shared/settings';
import { DEFAULT_AMIS, type GroupDescription } from '../../simulator/account';
import {
  createHarness,
  denying,
  rejection,
  targetGroupArn,
  withTargetGroups,
  type Harness,
  type HarnessOptions,
} from '../support/account';

/** resolve-roles against the simulated account (the reference environment: blue serves, green is empty). */
let h: Harness;

function account(options: HarnessOptions = {}): void {
  h = createHarness(options);
}

/** The reference environment with blue and green changed as given (before the account exists). */
function accountWith(
  groups: { blue?: Partial<GroupDescription>; green?: Partial<GroupDescription> },
  options: HarnessOptions & { otherTargetGroups?: number } = {},
): void {
  const { otherTargetGroups = 0, ...harness } = options;
  h = createHarness({
    ...harness,
    customize: (env) => {
      if (otherTargetGroups > 0) withTargetGroups(env, otherTargetGroups);
      // 'main' and 'synthetic' stand for the account's target groups of those roles.
      const arn = (name: string) =>
        ({ main: env.mainTargetGroup.arn, synthetic: env.syntheticTargetGroup.arn })[name] ?? name;
      for (const colour of ['blue', 'green'] as const) {
        const change = groups[colour];
        Object.assign(env.groups[colour], change);
        if (change?.attachedTargetGroups)
          env.groups[colour].attachedTargetGroups = change.attachedTargetGroups.map(arn);
      }
    },
  });
}

function settings(changes: Partial<SettingsInput> = {}) {
  return settingsSchema.parse({
    applicationName: 'webapp',
    groups: { blue: h.blue, green: h.green },
    targetGroups: { main: h.main, synthetic: h.synthetic },
    amiSelector: { tag: { key: 'Application', value: 'webapp' } },
    syntheticChecks: { endpoint: 'http://alb.example.com', checks: [{ path: '/health' }] },
    monitoring: { alarmNames: [], allowNoAlarms: true },
    ...changes,
  });
}

const resolve = (changes: Partial<SettingsInput> = {}) => handler({ settings: settings(changes) });

const detachCommand = (group: string, arn: string) =>
  `aws autoscaling detach-traffic-sources --auto-scaling-group-name ${group} --traffic-sources Identifier=${arn},Type=elbv2`;

const attach = (group: string, arns: string[]) =>
  h.asg.send(
    new AttachTrafficSourcesCommand({
      AutoScalingGroupName: group,
      TrafficSources: arns.map((Identifier) => ({ Identifier, Type: 'elbv2' })),
    }),
  );
const detach = (group: string, arns: string[]) =>
  h.asg.send(
    new DetachTrafficSourcesCommand({
      AutoScalingGroupName: group,
      TrafficSources: arns.map((Identifier) => ({ Identifier, Type: 'elbv2' })),
    }),
  );
/** The older API (CloudFormation's TargetGroupARNs uses it): the group's TargetGroupARNs names what it attaches. */
const attachTheOldWay = (group: string, arns: string[]) =>
  h.asg.send(
    new AttachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: group, TargetGroupARNs: arns }),
  );

/** As the operator: parks the group's InService instances and waits until they are in Standby. */
async function park(group: string, ids = h.idsIn(group, 'InService')): Promise<string[]> {
  await h.enterStandby(group, ids);
  h.until(() => ids.every((id) => h.idsIn(group, 'Standby').includes(id)));
  return ids;
}

afterEach(() => h.dispose());

describe('resolve-roles', () => {
  it('the group attached to the main target group is active; the other is standby', async () => {
    account();

    await expect(resolve()).resolves.toEqual({
      firstDeployment: false,
      active: { groupName: h.blue, capacity: { min: 2, desired: 3, max: 6 }, instanceCount: 3 },
      standby: { groupName: h.green },
      targetCapacity: { min: 2, desired: 3, max: 6 },
    });
    expect(h.inputs('DescribeTrafficSources')).toContainEqual(
      expect.objectContaining({ AutoScalingGroupName: h.blue, TrafficSourceType: 'elbv2' }),
    );
    expect(h.changes()).toEqual([]);
  });

  it('discovers green as active just as well (roles are never configured)', async () => {
    // Green serves; it left the synthetic target group of the deployment that made it active, and the
    // detached source is still listed as Removed for a while.
    accountWith(
      { green: { min: 1, desired: 2, max: 4, attachedTargetGroups: [] } },
      { firstDeployment: true },
    );
    await attach(h.green, [h.synthetic, h.main]);
    h.until(() => h.sources(h.green)[h.main] === 'InService');
    await detach(h.green, [h.synthetic]);
    h.until(() => h.sources(h.green)[h.synthetic] === 'Removed');

    const roles = await resolve();

    expect(roles.active?.groupName).toBe(h.green);
    expect(roles.standby.groupName).toBe(h.blue);
  });

  it("configured capacity wins over the active group's sizes", async () => {
    // Blue was attached a moment ago: its instances are registered (Added), none has passed a check yet.
    accountWith({ blue: { attachedTargetGroups: [] } });
    await attach(h.blue, [h.main]);
    h.until(() => h.sources(h.blue)[h.main] === 'Added');

    const roles = await resolve({ capacity: { min: 4, desired: 4, max: 8 } });

    expect(roles.active?.groupName).toBe(h.blue);
    expect(roles.targetCapacity).toEqual({ min: 4, desired: 4, max: 8 });
  });

  it('first deployment: no group serves, the configured first group is standby with the initial capacity', async () => {
    account({ firstDeployment: true });

    await expect(resolve()).resolves.toEqual({
      firstDeployment: true,
      active: null,
      standby: { groupName: h.blue },
      targetCapacity: { min: 1, desired: 2, max: 4 },
    });

    const green = await resolve({
      firstDeploymentGroup: 'green',
      initialCapacity: { min: 2, desired: 2, max: 2 },
    });
    expect(green.standby.groupName).toBe(h.green);
    expect(green.targetCapacity).toEqual({ min: 2, desired: 2, max: 2 });
  });

  it('a group on its way out of the main target group (Removing/Removed) does not serve', async () => {
    // Green has just been attached (Adding) and blue is draining out (Removing).
    accountWith({ green: { min: 1, desired: 1, max: 4 } });
    await attach(h.green, [h.main]);
    await detach(h.blue, [h.main]);
    expect(h.sources(h.blue)).toEqual({ [h.main]: 'Removing' });
    expect(h.sources(h.green)).toEqual({ [h.main]: 'Adding' });

    const roles = await resolve();

    expect(roles.active?.groupName).toBe(h.green);
    expect(roles.standby.groupName).toBe(h.blue);
  });

  it('a group attached to the main target group with the older API (AttachLoadBalancerTargetGroups) is active, never standby', async () => {
    // CloudFormation's TargetGroupARNs attaches this way; the group's own TargetGroupARNs names it. (The
    // simulated account lists it in DescribeTrafficSources too: AWS documents neither listing either way.)
    accountWith({ blue: { attachedTargetGroups: [] } });
    await attachTheOldWay(h.blue, [h.main]);
    h.until(() => h.sources(h.blue)[h.main] === 'InService');
    h.forgetCalls();

    await expect(resolve({ firstDeploymentGroup: 'blue' })).resolves.toEqual({
      firstDeployment: false,
      active: { groupName: h.blue, capacity: { min: 2, desired: 3, max: 6 }, instanceCount: 3 },
      standby: { groupName: h.green },
      targetCapacity: { min: 2, desired: 3, max: 6 },
    });
    expect(h.changes()).toEqual([]);
  });

  it('I2: a standby group attached to anything by the older API is refused, like one attached by AttachTrafficSources', async () => {
    const other = targetGroupArn(1);
    accountWith({}, { otherTargetGroups: 1 });
    await attachTheOldWay(h.green, [other]);

    const error = await rejection(resolve());

    expect(error.name).toBe('InconsistentAccountError');
    expect(error.message).toContain(
      `webapp-green is about to receive the new version but is attached to ${other}`,
    );
  });

  it('both groups on the main target group, one through each API, is an interrupted deployment, not two roles', async () => {
    accountWith({ blue: { min: 1, desired: 1 }, green: { min: 1, desired: 1, max: 2 } });
    await attachTheOldWay(h.green, [h.main]);

    const error = await rejection(resolve());

    expect(error.message).toContain(
      `Both webapp-blue and webapp-green are attached to the main target group ${h.main}`,
    );
  });

  it('a target group detached with the older API does not count while it drains', async () => {
    // Green serves; blue, attached the old way, was detached the old way and is still draining (Removing).
    accountWith({
      blue: { attachedTargetGroups: [] },
      green: { min: 1, desired: 1, max: 4, attachedTargetGroups: [] },
    });
    await attachTheOldWay(h.blue, [h.main]);
    await attach(h.green, [h.main]);
    h.until(() => h.sources(h.green)[h.main] === 'InService');
    await h.asg.send(
      new DetachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: h.blue, TargetGroupARNs: [h.main] }),
    );
    expect(h.sources(h.blue)).toEqual({ [h.main]: 'Removing' });

    const roles = await resolve();

    expect(roles.active?.groupName).toBe(h.green);
    expect(roles.standby.groupName).toBe(h.blue);
  });

  it('I7: follows DescribeTrafficSources pages to find the main target group', async () => {
    // Recently detached sources stay listed as Removed for a while: they page, but do not count as attached.
    const others = Array.from({ length: 120 }, (_, index) => targetGroupArn(index + 1));
    accountWith(
      { blue: { min: 1, desired: 1, max: 2, attachedTargetGroups: [] } },
      { otherTargetGroups: 120 },
    );
    for (let i = 0; i < others.length; i += 10) await attach(h.blue, others.slice(i, i + 10));
    await attach(h.blue, [h.main]);
    for (let i = 0; i < others.length; i += 10) await detach(h.blue, others.slice(i, i + 10));
    h.until(() => others.every((arn) => h.sources(h.blue)[arn] === 'Removed'));
    h.forgetCalls();

    const roles = await resolve();

    expect(roles.active?.groupName).toBe(h.blue);
    const pages = h.inputs<{ AutoScalingGroupName: string; NextToken?: string }>('DescribeTrafficSources');
    const bluePages = pages.filter((page) => page.AutoScalingGroupName === h.blue);
    expect(bluePages).toHaveLength(3);
    expect(bluePages[2].NextToken).toEqual(expect.any(String));
  });

  it('I7: 250 instances come out as counts, not lists', async () => {
    account({ instances: 250 });

    const roles = await resolve();

    expect(roles.active?.instanceCount).toBe(250);
    expect(JSON.stringify(roles).length).toBeLessThan(400);
  });

  describe('I1/I4: refuses an account it cannot safely deploy from, with a recovery command', () => {
    it('both groups attached to the main target group', async () => {
      accountWith({
        blue: { min: 1, desired: 1 },
        green: { min: 1, desired: 1, max: 2, attachedTargetGroups: ['main'] },
      });

      const error = await rejection(resolve());

      expect(error.name).toBe('InconsistentAccountError');
      expect(error.message).toContain(
        `Both webapp-blue and webapp-green are attached to the main target group ${h.main}`,
      );
      expect(error.message).toContain(detachCommand(h.green, h.main));
      expect(h.changes()).toEqual([]);
    });

    it('I1: a stopped deployment (old fleet parked, new one serving): the hint never detaches the only group in service', async () => {
      accountWith({
        blue: { min: 0 },
        green: { min: 2, desired: 3, max: 6, attachedTargetGroups: ['main'] },
      });
      const parked = await park(h.blue);
      expect(h.group(h.blue)).toMatchObject({ min: 0, desired: 0, max: 6 });
      h.forgetCalls();

      const error = await rejection(resolve());

      expect(error.message).toContain('Only webapp-green is in service: keep it attached.');
      expect(error.message).not.toContain(
        `--auto-scaling-group-name webapp-green --traffic-sources Identifier=${h.main}`,
      );
      // Runnable as printed, in order: the parked group leaves, its instances return to a group attached to
      // nothing, and it is emptied.
      expect(error.message).toContain(
        `${detachCommand(h.blue, h.main)}; ` +
          `aws autoscaling exit-standby --auto-scaling-group-name webapp-blue --instance-ids ${parked.join(' ')}; ` +
          'aws autoscaling update-auto-scaling-group --auto-scaling-group-name webapp-blue --min-size 0 --desired-capacity 0; ' +
          'then start the deployment again.',
      );
      expect(h.changes()).toEqual([]);
    });

    it('I1: the parked group has Launch suspended and no room: the hint resumes it and raises MaxSize before ExitStandby', async () => {
      accountWith({
        blue: { min: 0, desired: 2, max: 2 },
        green: { min: 2, desired: 2, max: 6, attachedTargetGroups: ['main'] },
      });
      const parked = await park(h.blue);
      // Then Launch was suspended and the desired capacity raised: nothing launches, and no room is left.
      await h.asg.send(
        new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['Launch'] }),
      );
      await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 1 }));
      h.run(5);
      expect(h.group(h.blue)).toMatchObject({ min: 0, desired: 1, max: 2 });

      const error = await rejection(resolve());

      expect(error.message).toContain(
        'aws autoscaling resume-processes --auto-scaling-group-name webapp-blue --scaling-processes Launch; ' +
          'aws autoscaling update-auto-scaling-group --auto-scaling-group-name webapp-blue --max-size 3; ' +
          `aws autoscaling exit-standby --auto-scaling-group-name webapp-blue --instance-ids ${parked.join(' ')};`,
      );
    });

    it('I1: both in service, the new one on the synthetic target group: the one that served before stays', async () => {
      accountWith({
        blue: { min: 1, desired: 1 },
        green: { min: 1, desired: 1, max: 2, attachedTargetGroups: ['main', 'synthetic'] },
      });

      const error = await rejection(resolve());

      expect(error.message).toContain('so webapp-blue, which served before it, stays: keep it attached.');
      expect(error.message).not.toContain('--auto-scaling-group-name webapp-blue --traffic-sources');
    });

    it('nothing in service in either group: one is brought into service before the other leaves', async () => {
      accountWith({
        blue: { min: 0, desired: 0, max: 2 },
        green: { max: 2, attachedTargetGroups: ['main'] },
      });

      const error = await rejection(resolve());

      expect(error.message).toContain(
        'aws autoscaling update-auto-scaling-group --auto-scaling-group-name webapp-blue --min-size 1 --max-size 4 --desired-capacity 2; ' +
          `aws elbv2 wait target-in-service --target-group-arn ${h.main}; ` +
          `${detachCommand(h.green, h.main)};`,
      );
    });

    it('I2/I4: the active group is still attached to the synthetic target group (an interrupted deployment)', async () => {
      accountWith({ blue: { attachedTargetGroups: ['main', 'synthetic'] } });

      const error = await rejection(resolve());

      expect(error.name).toBe('InconsistentAccountError');
      expect(error.message).toContain('webapp-blue serves production but is also attached to');
      expect(error.message).toContain(detachCommand(h.blue, h.synthetic));
      expect(h.changes()).toEqual([]);
    });

    it('I2: the standby group is attached to another target group (it would take traffic before its checks)', async () => {
      const other = targetGroupArn(1);
      accountWith({}, { otherTargetGroups: 1 });
      await attach(h.green, [other]);
      h.until(() => h.sources(h.green)[other] === 'Added');

      const error = await rejection(resolve());

      expect(error.message).toContain(
        `webapp-green is about to receive the new version but is attached to ${other}`,
      );
      expect(error.message).toContain(detachCommand(h.green, other));
    });

    it('I1 (issue 8, finding 3): the main target group of the configuration is not the one that serves: no command detaches the serving group', async () => {
      const missing =
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-gone/00000000deadbeef';
      account();

      const error = await rejection(resolve({ targetGroups: { main: missing, synthetic: h.synthetic } }));

      expect(error.name).toBe('InconsistentAccountError');
      expect(error.message).toContain('set deployment.targetGroups.main to it');
      expect(error.message).not.toMatch(/aws /);
      expect(h.changes()).toEqual([]);
    });

    it('I1: the standby group serves another target group while a group is active: no command detaches it', async () => {
      accountWith(
        { green: { min: 1, desired: 1, max: 4, attachedTargetGroups: [targetGroupArn(1)] } },
        { otherTargetGroups: 1 },
      );

      const error = await rejection(resolve());

      expect(error.message).toContain('proposes no command that detaches it');
      expect(error.message).not.toMatch(/aws /);
    });

    it('I2: both groups share one launch template and production launches $Latest', async () => {
      accountWith({
        blue: { launchTemplateVersion: '$Latest' },
        green: { launchTemplateId: 'lt-0b1e0000000000001', launchTemplateName: 'webapp-blue' },
      });

      const error = await rejection(resolve());

      expect(error.message).toMatch(/share a launch template and webapp-blue launches its \$Latest version/);
    });

    it('I2: shared template on $Latest: the hint pins production to the version its instances run', async () => {
      account();
      const template = h.environment.groups.blue.launchTemplateId;
      const newVersion = () =>
        h.ec2.send(
          new CreateLaunchTemplateVersionCommand({
            LaunchTemplateId: template,
            SourceVersion: '1',
            LaunchTemplateData: { ImageId: DEFAULT_AMIS.current },
          }),
        );
      const pointAt = (group: string, Version: string, DesiredCapacity?: number) =>
        h.asg.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: group,
            LaunchTemplate: { LaunchTemplateId: template, Version },
            DesiredCapacity,
          }),
        );
      // Blue runs versions 1 and 2; version 3, which no instance runs, is its $Latest; green shares the template.
      await newVersion();
      await pointAt(h.blue, '2', 4);
      h.until(() => h.idsIn(h.blue, 'InService').length === 4);
      await newVersion();
      await pointAt(h.blue, '$Latest');
      await pointAt(h.green, '3');

      const error = await rejection(resolve());

      expect(error.message).toContain(
        `aws autoscaling update-auto-scaling-group --auto-scaling-group-name webapp-blue --launch-template LaunchTemplateId=${template},Version=2;`,
      );
    });

    it('the active group holds Standby instances (an interrupted deployment)', async () => {
      account({ instances: 4 });
      const parked = await park(h.blue, h.idsIn(h.blue, 'InService').slice(2));

      const error = await rejection(resolve());

      expect(error.name).toBe('InconsistentAccountError');
      expect(error.message).toContain(
        `aws autoscaling exit-standby --auto-scaling-group-name webapp-blue --instance-ids ${parked.join(' ')}`,
      );
    });

    it('I7: 250 Standby instances: the hint quotes at most 20 ids and counts the rest', async () => {
      accountWith({ blue: { min: 1 } }, { instances: 251 });
      const parked = await park(h.blue, h.idsIn(h.blue, 'InService').slice(1));
      expect(parked).toHaveLength(250);

      const error = await rejection(resolve());

      expect(error.name).toBe('InconsistentAccountError');
      expect(error.message.match(/i-[0-9a-f]{17}/g)).toEqual(parked.slice(0, 20));
      expect(error.message).toContain('250 in Standby');
      expect(error.message).toContain('repeat for the other 230');
    });

    it('the active group has instances still entering Standby', async () => {
      accountWith({ blue: { min: 1 } }, { instances: 2 });
      await h.enterStandby(h.blue, h.idsIn(h.blue, 'InService').slice(1));
      expect(h.idsIn(h.blue, 'EnteringStandby')).toHaveLength(1);

      const error = await rejection(resolve());

      expect(error.message).toMatch(/1 entering Standby.*Wait until/);
    });

    it('the active group has no InService instance', async () => {
      // Blue, still attached, was scaled in: its last instance is terminating.
      accountWith({ blue: { min: 0 } }, { instances: 1 });
      await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 0 }));
      h.run(1);
      expect(h.idsIn(h.blue, 'Terminating')).toHaveLength(1);

      const error = await rejection(resolve());

      expect(error.name).toBe('InconsistentAccountError');
      expect(error.message).toContain('webapp-blue is attached to the main target group');
    });

    it('the standby group holds Standby instances (scale-in would never empty it)', async () => {
      accountWith({ blue: { min: 1, desired: 1 }, green: { desired: 3, max: 4 } });
      await park(h.green);

      const error = await rejection(resolve());

      expect(error.name).toBe('InconsistentAccountError');
      expect(error.message).toContain('aws autoscaling exit-standby --auto-scaling-group-name webapp-green');
    });

    it('the first-deployment group holds Standby instances', async () => {
      accountWith({ blue: { desired: 1 } }, { firstDeployment: true });
      await park(h.blue);

      const error = await rejection(resolve());

      expect(error.name).toBe('InconsistentAccountError');
    });

    it('a configured group does not exist', async () => {
      account();

      const error = await rejection(resolve({ groups: { blue: h.blue, green: 'webapp-missing' } }));

      expect(error.name).toBe('InconsistentAccountError');
      expect(error.message).toMatch(/"webapp-missing" does not exist/);
      expect(h.inputs('DescribeTrafficSources')).toEqual([]);
    });
  });

  it('maps throttling to TransientAwsError and a refused call to AwsRequestError', async () => {
    account({
      faults: {
        failAttempt: (operation) => operation === 'autoscaling:DescribeAutoScalingGroups' && 'throttling',
      },
    });
    expect((await rejection(resolve())).name).toBe('TransientAwsError');

    h.account.setFaults({});
    const error = await rejection(denying(['autoscaling:DescribeTrafficSources'], () => resolve()));
    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('DescribeTrafficSources failed: AccessDenied');
  });

  it('I6: a second run gives the same roles and changes nothing', async () => {
    account();
    const before = h.account.snapshot();

    const first = await resolve();
    const second = await resolve();

    expect(second).toEqual(first);
    expect(h.changes()).toEqual([]);
    expect(h.account.snapshot()).toEqual(before);
  });

  it('rejects malformed settings before any AWS call', async () => {
    account();
    const error = await rejection(handler({ settings: { ...settings(), groups: { blue: 'x' } } }));

    expect(error.name).toBe('InvalidInputError');
    expect(h.account.apiCalls.total).toBe(0);
  });
});
