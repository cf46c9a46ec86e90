import { SetDesiredCapacityCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import { handler } from '../../lambdas/monitor-new-version/handler';
import { OPERATOR_REQUEST_TAG } from '../../lambdas/shared/aws/auto-scaling';
import { DEFAULT_AMIS, type MetricAlarmDescription } from '../../simulator/account';
import { TrafficGenerator } from '../../simulator/traffic';
import { createHarness, rejection, type Harness, type HarnessOptions } from '../support/account';

/** The reference environment's metric alarms (its composite alarm is named apart). */
const ALARMS = ['webapp-target-5xx', 'webapp-unhealthy-hosts', 'webapp-p99-latency'];
const COMPOSITE = 'webapp-any-critical';
/** An AMI whose application never passes a health check. */
const BROKEN_AMI = DEFAULT_AMIS.foreign;
let h: Harness;

function input(
  options: { minutesIn?: number; monitoring?: Record<string, unknown>; startedAt?: string | null } = {},
) {
  const startedAt = options.startedAt !== undefined ? options.startedAt : ago((options.minutesIn ?? 12) * 60);
  return {
    groupName: h.green,
    targetGroupArn: h.main,
    monitoring: { alarmNames: ALARMS, rollbackWindowMinutes: 60, intervalSeconds: 30, ...options.monitoring },
    wait: { startedAt },
  };
}

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

/**
 * The first time at least a second from now whose second of the minute is one of `seconds`, as a Wait
 * state's timestamp (whole seconds, UTC).
 */
function nextSecondOfMinute(seconds: number[]): string {
  let at = Math.ceil((Date.now() + 1000) / 1000) * 1000;
  while (!seconds.includes((at / 1000) % 60)) at += 1000;
  return new Date(at).toISOString().replace('.000Z', 'Z');
}

/** Lets the account run until the clock shows this second of the minute. */
function runUntilSecondOfMinute(second: number): void {
  h.until(() => Math.floor(Date.now() / 1000) % 60 === second, 60);
}

/**
 * The rollback window: green (the new version, `count` instances, checked by EC2 health so that an
 * unhealthy target stays InService) serves in the main target group; blue, the old fleet, is draining into
 * Standby (its targets are not this check's concern).
 */
async function inWindow(count = 3, options: HarnessOptions & { parkBlue?: boolean } = {}): Promise<void> {
  h = createHarness({
    ...options,
    customize: (env) => {
      Object.assign(env.groups.blue, { min: 0 });
      Object.assign(env.groups.green, {
        desired: count,
        max: count + 2,
        amiId: DEFAULT_AMIS.next,
        healthCheckType: 'EC2',
        // No grace period unless a test gives one: an unhealthy target is judged at once.
        healthCheckGracePeriodSeconds: 0,
        attachedTargetGroups: [env.mainTargetGroup.arn],
      });
      options.customize?.(env);
    },
  });
  h.account.setVersionBehaviour(BROKEN_AMI, { failHealthChecks: true });
  if (options.parkBlue !== false) await h.enterStandby(h.blue);
  h.forgetCalls();
}

const tagGreen = (value: string) => h.tag(h.green, OPERATOR_REQUEST_TAG, value);

async function setAlarm(name: string, state: StateValue, reason: string): Promise<void> {
  await h.cloudWatch.send(
    new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }),
  );
}

/** Green launches `count` more instances of BROKEN_AMI; returns once they are InService and unhealthy. */
async function brokenInstances(count: number): Promise<void> {
  const template = h.environment.groups.green.launchTemplateId;
  const version = await h.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: template,
      SourceVersion: '1',
      LaunchTemplateData: { ImageId: BROKEN_AMI },
    }),
  );
  const group = h.group(h.green);
  await h.asg.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: h.green,
      LaunchTemplate: {
        LaunchTemplateId: template,
        Version: String(version.LaunchTemplateVersion?.VersionNumber),
      },
      DesiredCapacity: group.desired + count,
    }),
  );
  const unhealthy = () =>
    h.idsIn(h.green, 'InService').filter((id) => h.health(h.main)[id] === 'unhealthy').length;
  h.until(() => unhealthy() === count);
  h.forgetCalls();
}

afterEach(() => h.dispose());

describe('monitor-new-version', () => {
  it('keeps watching inside the window when alarms are OK and targets healthy', async () => {
    await inWindow();
    const output = await handler(input({ minutesIn: 12 }));

    expect(output).toEqual({
      startedAt: ago(720),
      done: false,
      elapsedSeconds: 720,
      detail: '12 of 60 minutes: 3 alarms OK, 3 of 3 targets healthy',
      windowSeconds: 3600,
      remainingSeconds: 2880,
      nextCheckAt: nextSecondOfMinute([2, 32]),
    });
    expect(h.inputs('DescribeAlarms')).toEqual([
      expect.objectContaining({ AlarmNames: ALARMS, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
    ]);
    expect(h.inputs('DescribeTargetHealth')).toEqual([{ TargetGroupArn: h.main }]);
    expect(h.changes()).toEqual([]);
  });

  it('stamps the window’s start on the first check', async () => {
    await inWindow();
    const output = await handler(input({ startedAt: null }));

    expect(output).toMatchObject({
      startedAt: ago(0),
      elapsedSeconds: 0,
      done: false,
      remainingSeconds: 3600,
    });
  });

  describe('schedules its next check just after CloudWatch’s next alarm evaluation', () => {
    // CloudWatch evaluates a standard alarm at the end of every minute
    // (docs/aws-facts/cloudwatch-alarms.md#evaluation-timing): the checks fall 2 s past it, and on the
    // same grid in between, `intervalSeconds` apart.
    it.each([
      { intervalSeconds: 30, now: 40, next: [2] },
      { intervalSeconds: 30, now: 10, next: [32] },
      { intervalSeconds: 30, now: 1, next: [2] },
      { intervalSeconds: 60, now: 10, next: [2] },
      { intervalSeconds: 20, now: 10, next: [22] },
      { intervalSeconds: 20, now: 50, next: [2] },
    ])(
      'every $intervalSeconds s, checked at :$now, it checks next at :$next',
      async ({ intervalSeconds, now, next }) => {
        await inWindow();
        runUntilSecondOfMinute(now);

        const output = await handler(input({ monitoring: { intervalSeconds } }));

        expect(output.nextCheckAt).toBe(nextSecondOfMinute(next));
      },
    );

    it('whatever second the window opened at: its second check is the first after the next evaluation', async () => {
      await inWindow();
      runUntilSecondOfMinute(47);

      const output = await handler(input({ startedAt: null }));

      expect(output).toMatchObject({ elapsedSeconds: 0, nextCheckAt: nextSecondOfMinute([2]) });
    });

    it('checks last when the window closes, not on the grid past it', async () => {
      await inWindow();
      runUntilSecondOfMinute(10);
      // 59:50 into the window: it ends at :20, before the grid's :32.
      const output = await handler(input({ startedAt: ago(3590) }));

      expect(output).toMatchObject({ done: false, remainingSeconds: 10 });
      expect(output.nextCheckAt).toBe(nextSecondOfMinute([20]));
    });

    it('rounds the window’s end up to the second, so that the check there finds it complete', async () => {
      await inWindow();
      runUntilSecondOfMinute(10);
      const startedAt = new Date(Date.now() - 3590 * 1000 + 400).toISOString();

      const output = await handler(input({ startedAt }));

      expect(output.nextCheckAt).toBe(nextSecondOfMinute([21]));
    });

    it('schedules nothing once the window is done', async () => {
      await inWindow();

      const output = await handler(input({ minutesIn: 60 }));

      expect(output).toMatchObject({ done: true });
      expect(output).not.toHaveProperty('nextCheckAt');
    });

    it('sees an alarm that went to ALARM at the minute in the check 2 s after it', async () => {
      await inWindow();
      // The new version answers every request with an error from now on; users keep coming.
      h.account.setVersionBehaviour(DEFAULT_AMIS.next, { errorRate: 1 });
      const users = new TrafficGenerator(h.account, { requestsPerSecond: 10 });
      runUntilSecondOfMinute(40);
      users.tick();
      const check = await handler(input());
      expect(check.nextCheckAt).toBe(nextSecondOfMinute([2]));

      // Until the next check: the 5xx alarm goes to ALARM at the minute, when CloudWatch evaluates it.
      h.until(
        () => new Date(Date.now()).toISOString().replace('.000Z', 'Z') === check.nextCheckAt,
        60,
        () => users.tick(),
      );
      const fired = h.account.snapshot().alarms.find((alarm) => alarm.name === 'webapp-target-5xx');
      expect(fired?.state).toBe('ALARM');

      const error = await rejection(handler(input()));
      expect(error.name).toBe('AlarmFiringError');
      expect(error.message).toContain('webapp-target-5xx is ALARM');
    });
  });

  describe('follows the second of the minute at which CloudWatch evaluates the watched alarms', () => {
    // AWS documents that an alarm is evaluated every minute, not at which second
    // (docs/aws-facts/cloudwatch-alarms.md#evaluation-timing); its example event is 40 s into a minute.
    const evaluatedAt = (seconds: Record<string, number>) => (env: { alarms: { name: string }[] }) => {
      for (const alarm of env.alarms) {
        if (alarm.name in seconds) (alarm as MetricAlarmDescription).evaluationSecond = seconds[alarm.name];
      }
    };

    it('checks 2 s after the second the alarms last changed at', async () => {
      await inWindow(3, {
        customize: evaluatedAt(Object.fromEntries(ALARMS.map((name) => [name, 40]))),
      });
      runUntilSecondOfMinute(10);

      const output = await handler(input());

      expect(output.nextCheckAt).toBe(nextSecondOfMinute([12, 42]));
    });

    it('sees an alarm that went to ALARM at its own second in the check 2 s after it', async () => {
      await inWindow(3, {
        customize: evaluatedAt(Object.fromEntries(ALARMS.map((name) => [name, 40]))),
      });
      h.account.setVersionBehaviour(DEFAULT_AMIS.next, { errorRate: 1 });
      const users = new TrafficGenerator(h.account, { requestsPerSecond: 10 });
      const untilCheck = (at: string | undefined) =>
        h.until(
          () => new Date(Date.now()).toISOString().replace('.000Z', 'Z') === at,
          60,
          () => users.tick(),
        );
      // Errors from :50: the minute they fill is evaluated at :40 of the next one.
      runUntilSecondOfMinute(50);
      users.tick();
      const first = await handler(input());
      expect(first.nextCheckAt).toBe(nextSecondOfMinute([12]));
      untilCheck(first.nextCheckAt);
      const second = await handler(input());
      expect(second.nextCheckAt).toBe(nextSecondOfMinute([42]));

      untilCheck(second.nextCheckAt);
      const fired = h.account.snapshot().alarms.find((alarm) => alarm.name === 'webapp-target-5xx');
      expect(fired?.state).toBe('ALARM');
      const error = await rejection(handler(input()));
      expect(error.name).toBe('AlarmFiringError');
      expect(h.account.alarmStateChangeEvents.at(-1)?.time).toMatch(/:40Z$/);
    });

    it('an alarm set by hand moves the grid, never the checks closer than an interval', async () => {
      await inWindow();
      runUntilSecondOfMinute(5);
      // Its last change is now at :05, the others' at :00.
      await setAlarm('webapp-p99-latency', 'INSUFFICIENT_DATA', 'set by a test tool');
      runUntilSecondOfMinute(32);
      const scheduled = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');

      const output = await handler({ ...input(), wait: { startedAt: ago(720), nextCheckAt: scheduled } });

      expect(Date.parse(output.nextCheckAt ?? '') - Date.parse(scheduled)).toBeGreaterThanOrEqual(30_000);
    });

    it('with alarms at different seconds, the grid after which the last to be seen waits least', async () => {
      // Evaluated at :05, :15 and :50. Checks at :22 and :52 see each at most 17 s after it changes (the :05
      // one at :22); at :07/:37 the :15 one would wait 22 s, at :17/:47 the :50 one 27 s.
      await inWindow(3, {
        customize: evaluatedAt({
          'webapp-target-5xx': 5,
          'webapp-unhealthy-hosts': 15,
          'webapp-p99-latency': 50,
        }),
      });
      runUntilSecondOfMinute(0);

      const output = await handler(input());

      expect(output.nextCheckAt).toBe(nextSecondOfMinute([22, 52]));
    });
  });

  it('is done once the window has passed cleanly', async () => {
    await inWindow();
    const output = await handler(input({ minutesIn: 60 }));

    expect(output).toMatchObject({ done: true, remainingSeconds: 0 });
    expect(output.detail).toBe('rollback window of 60 minutes passed: 3 alarms OK, 3 of 3 targets healthy');
  });

  it('uses the window length it is given (an execution override)', async () => {
    await inWindow();
    expect((await handler(input({ minutesIn: 5, monitoring: { rollbackWindowMinutes: 5 } }))).done).toBe(
      true,
    );
    expect((await handler(input({ minutesIn: 5, monitoring: { rollbackWindowMinutes: 6 } }))).done).toBe(
      false,
    );
  });

  it('is done early when an operator promotes', async () => {
    await inWindow();
    await tagGreen('promote');

    const output = await handler(input({ minutesIn: 12 }));

    expect(output).toMatchObject({ done: true, remainingSeconds: 0 });
    expect(output.detail).toBe(
      'promoted early by an operator at 12 of 60 minutes: 3 alarms OK, 3 of 3 targets healthy',
    );
  });

  it('I3: an operator’s rollback request fails fast, before looking at alarms or targets', async () => {
    await inWindow();
    await tagGreen('rollback');
    h.forgetCalls();

    const error = await rejection(handler(input()));

    expect(error.name).toBe('RollbackRequestedError');
    expect(error.message).toContain(`${OPERATOR_REQUEST_TAG}=rollback on webapp-green`);
    expect(h.inputs('DescribeAlarms')).toEqual([]);
    expect(h.inputs('DescribeTargetHealth')).toEqual([]);
  });

  it('ignores an operator tag with an unknown value', async () => {
    await inWindow();
    await tagGreen('maybe');

    expect((await handler(input())).done).toBe(false);
  });

  it('I3: an alarm in ALARM fails the check, naming the alarm and its reason', async () => {
    await inWindow();
    await setAlarm(
      'webapp-target-5xx',
      'ALARM',
      'Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (5.0).',
    );
    h.forgetCalls();

    const error = await rejection(handler(input()));

    expect(error.name).toBe('AlarmFiringError');
    expect(error.message).toBe(
      '1 alarm firing during the rollback window: webapp-target-5xx is ALARM (Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (5.0).)',
    );
    expect(h.inputs('DescribeTargetHealth')).toEqual([]);
  });

  it('I3: a composite alarm in ALARM fails the check too', async () => {
    await inWindow();
    // A child alarm fires; only the composite is watched.
    await setAlarm('webapp-unhealthy-hosts', 'ALARM', 'Threshold Crossed');

    const error = await rejection(handler(input({ monitoring: { alarmNames: [COMPOSITE] } })));

    expect(error.name).toBe('AlarmFiringError');
    expect(error.message).toMatch(
      new RegExp(`^1 alarm firing during the rollback window: ${COMPOSITE} is ALARM`),
    );
  });

  it('a firing alarm wins over an operator’s promote', async () => {
    await inWindow();
    await tagGreen('promote');
    await setAlarm('webapp-p99-latency', 'ALARM', 'latency');

    expect((await rejection(handler(input()))).name).toBe('AlarmFiringError');
  });

  it('treats INSUFFICIENT_DATA as OK by default, and says so', async () => {
    await inWindow();
    await setAlarm('webapp-target-5xx', 'INSUFFICIENT_DATA', 'no data');

    const output = await handler(input());

    expect(output.detail).toBe(
      '12 of 60 minutes: 3 alarms OK (1 with insufficient data), 3 of 3 targets healthy',
    );
  });

  it('treats INSUFFICIENT_DATA as firing when insufficientDataIs is "alarm"', async () => {
    await inWindow();
    await setAlarm('webapp-target-5xx', 'INSUFFICIENT_DATA', 'Unchecked: Initial alarm creation');

    const error = await rejection(handler(input({ monitoring: { insufficientDataIs: 'alarm' } })));

    expect(error.name).toBe('AlarmFiringError');
    expect(error.message).toContain(
      'webapp-target-5xx is INSUFFICIENT_DATA (Unchecked: Initial alarm creation)',
    );
  });

  it('refuses to monitor blind: a configured alarm that does not exist is an error naming it', async () => {
    await inWindow(3, {
      customize: (env) => (env.alarms = env.alarms.filter((alarm) => alarm.name !== 'webapp-p99-latency')),
    });

    const error = await rejection(handler(input()));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('alarm webapp-p99-latency does not exist');
    expect(error.message).toContain('monitoring.alarmNames');
  });

  it('I7: reads the most alarms a deployment may watch (100) in one call; an ALARM among them is not missed', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `alarm-${i}`);
    await inWindow(3, {
      customize: (env) => {
        const template = env.alarms.find((alarm) => alarm.type === 'metric') as MetricAlarmDescription;
        env.alarms.push(...names.map((name) => ({ ...template, name })));
      },
    });
    await setAlarm('alarm-99', 'ALARM', 'the last one');
    h.forgetCalls();

    const error = await rejection(handler(input({ monitoring: { alarmNames: names } })));

    expect(error.name).toBe('AlarmFiringError');
    expect(error.message).toContain('alarm-99 is ALARM (the last one)');
    expect(
      h.inputs<{ AlarmNames: string[] }>('DescribeAlarms').map((call) => call.AlarmNames.length),
    ).toEqual([100]);
  });

  it('makes no CloudWatch call when no alarm is configured', async () => {
    await inWindow();
    const output = await handler(input({ monitoring: { alarmNames: [], allowNoAlarms: true } }));

    expect(output.detail).toBe('12 of 60 minutes: no alarms configured, 3 of 3 targets healthy');
    expect(h.inputs('DescribeAlarms')).toEqual([]);
  });

  it('I3: more unhealthy new targets than allowed fails the check', async () => {
    await inWindow(2);
    await brokenInstances(1);

    const error = await rejection(handler(input()));

    expect(error.name).toBe('UnhealthyTargetsError');
    expect(error.message).toBe(
      '1 of 3 targets of webapp-green are unhealthy in webapp-main (at most 0 allowed by monitoring.maxUnhealthyTargets).',
    );
  });

  it('tolerates unhealthy targets up to maxUnhealthyTargets', async () => {
    await inWindow(1);
    await brokenInstances(2);

    const output = await handler(input({ monitoring: { maxUnhealthyTargets: 2 } }));

    expect(output.detail).toBe('12 of 60 minutes: 3 alarms OK, 1 of 3 targets healthy');
  });

  it('does not judge a target unhealthy while its instance is in the group’s health check grace period (a scale-out in the window), and judges it after', async () => {
    await inWindow(2, { customize: (env) => (env.groups.green.healthCheckGracePeriodSeconds = 600) });
    await brokenInstances(1);

    expect(await handler(input())).toMatchObject({
      done: false,
      detail: '12 of 60 minutes: 3 alarms OK, 2 of 3 targets healthy (1 in their health check grace period)',
    });

    h.run(600);
    // The unhealthy-hosts alarm fires by now too; without alarms the target check alone must see it.
    const error = await rejection(
      handler(input({ minutesIn: 23, monitoring: { alarmNames: [], allowNoAlarms: true } })),
    );
    expect(error.name).toBe('UnhealthyTargetsError');
    expect(error.message).toContain('1 of 3 targets of webapp-green are unhealthy');
  });

  it('gives a replacement instance still in its initial health checks time', async () => {
    // Quick to boot, the replacement is InService before its target's first health check.
    await inWindow(2, { bootSeconds: 2 });
    await h.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: h.green, DesiredCapacity: 3 }));
    h.until(() => h.idsIn(h.green, 'InService').length === 3);
    const replacement = h.idsIn(h.green, 'InService')[2];
    expect(h.health(h.main)[replacement]).toBe('initial');

    expect(await handler(input())).toMatchObject({
      done: false,
      detail: '12 of 60 minutes: 3 alarms OK, 2 of 3 targets healthy',
    });
  });

  it('I1: fails when no target of the new version is healthy, whatever maxUnhealthyTargets allows', async () => {
    await inWindow(3, { customize: (env) => (env.groups.green.amiId = BROKEN_AMI) });
    h.until(() => h.idsIn(h.green, 'InService').every((id) => h.health(h.main)[id] === 'unhealthy'));

    const error = await rejection(handler(input({ monitoring: { maxUnhealthyTargets: 5 } })));

    expect(error.name).toBe('UnhealthyTargetsError');
    expect(error.message).toContain('No target of webapp-green is healthy in webapp-main');
  });

  it('does not count unhealthy targets of other groups against the new version', async () => {
    // Blue is not parked here: still in service, on a version that has stopped answering its checks.
    await inWindow(3, { parkBlue: false, customize: (env) => (env.groups.blue.healthCheckType = 'EC2') });
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, { failHealthChecks: true });
    h.until(() => h.idsIn(h.blue, 'InService').every((id) => h.health(h.main)[id] === 'unhealthy'));

    expect(await handler(input())).toMatchObject({
      done: false,
      detail: '12 of 60 minutes: 3 alarms OK, 3 of 3 targets healthy',
    });
  });

  it('I7: watches 250 instances with one call per service and a constant-size answer', async () => {
    await inWindow(250);

    const output = await handler(input());

    expect(output.detail).toBe('12 of 60 minutes: 3 alarms OK, 250 of 250 targets healthy');
    expect(Object.keys(output).sort()).toEqual([
      'detail',
      'done',
      'elapsedSeconds',
      'nextCheckAt',
      'remainingSeconds',
      'startedAt',
      'windowSeconds',
    ]);
    expect(h.inputs('DescribeAutoScalingGroups')).toHaveLength(1);
    expect(h.inputs('DescribeTargetHealth')).toHaveLength(1);
    expect(h.inputs('DescribeAlarms')).toHaveLength(1);
  });

  it('maps CloudWatch throttling to TransientAwsError', async () => {
    await inWindow(3, {
      faults: { failAttempt: (operation) => operation === 'cloudwatch:DescribeAlarms' && 'throttling' },
    });

    expect((await rejection(handler(input()))).name).toBe('TransientAwsError');
  });

  it('applies the monitoring defaults the settings schema defines', async () => {
    await inWindow();
    const output = await handler({ ...input(), monitoring: { alarmNames: ALARMS } });

    expect(output).toMatchObject({ windowSeconds: 3600, done: false });
  });

  it.each([
    {
      what: 'an interval below 10 s',
      monitoring: { alarmNames: ALARMS, intervalSeconds: 5 },
      field: 'monitoring.intervalSeconds',
    },
    { what: 'no alarm list', monitoring: {}, field: 'monitoring.alarmNames' },
    { what: 'an unknown setting', monitoring: { alarmNames: ALARMS, alarms: [] }, field: 'monitoring' },
  ])('rejects monitoring settings with $what before any AWS call', async ({ monitoring, field }) => {
    await inWindow();

    const error = await rejection(handler({ ...input(), monitoring }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
    expect(h.applied).toEqual([]);
  });

  it('rejects a timeoutSeconds: the end of the window is success, not a timeout', async () => {
    await inWindow();

    const error = await rejection(handler({ ...input(), timeoutSeconds: 600 }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain('timeoutSeconds');
  });
});
