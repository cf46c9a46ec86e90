import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { handler } from '../../lambdas/monitor-new-version/handler';
import { OPERATOR_REQUEST_TAG } from '../../lambdas/shared/aws/auto-scaling';
import {
  asgMock,
  awsError,
  cwMock,
  elbMock,
  freshAccount,
  ids,
  MAIN_TG,
  mutatingCallCount,
  thrown,
  type FakeAccount,
} from './traffic-fakes';

const GREEN = 'webapp-green';
const NOW = Date.parse('2030-01-01T12:00:00.000Z');
const ALARMS = ['webapp-5xx', 'webapp-latency', 'webapp-health'];
let account: FakeAccount;

function input(
  options: { minutesIn?: number; monitoring?: Record<string, unknown>; startedAt?: string | null } = {},
) {
  const startedAt =
    options.startedAt !== undefined
      ? options.startedAt
      : new Date(NOW - (options.minutesIn ?? 12) * 60_000).toISOString();
  return {
    groupName: GREEN,
    targetGroupArn: MAIN_TG,
    monitoring: { alarmNames: ALARMS, rollbackWindowMinutes: 60, intervalSeconds: 30, ...options.monitoring },
    wait: { startedAt },
  };
}

beforeEach(() => {
  account = freshAccount();
  account.addGroup({ name: GREEN, desired: 3, instances: { InService: ids('green', 3) } });
  account.setHealth(MAIN_TG, ids('green', 3), 'healthy');
  account.setHealth(MAIN_TG, ids('blue', 3), 'draining'); // the parked old fleet: not this check's concern
  account.alarms = ALARMS.map((name) => ({ name, state: 'OK' }));
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] }).setSystemTime(NOW);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('monitor-new-version', () => {
  it('keeps watching inside the window when alarms are OK and targets healthy', async () => {
    const output = await handler(input({ minutesIn: 12 }));

    expect(output).toEqual({
      startedAt: new Date(NOW - 12 * 60_000).toISOString(),
      done: false,
      elapsedSeconds: 720,
      detail: '12 of 60 minutes: 3 alarms OK, 3 of 3 targets healthy',
      windowSeconds: 3600,
      remainingSeconds: 2880,
    });
    expect(cwMock).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ALARMS,
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(elbMock).toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: MAIN_TG });
    expect(mutatingCallCount()).toBe(0);
  });

  it('stamps the window’s start on the first check', async () => {
    const output = await handler(input({ startedAt: null }));

    expect(output).toMatchObject({
      startedAt: new Date(NOW).toISOString(),
      elapsedSeconds: 0,
      done: false,
      remainingSeconds: 3600,
    });
  });

  it('is done once the window has passed cleanly', async () => {
    const output = await handler(input({ minutesIn: 60 }));

    expect(output).toMatchObject({ done: true, remainingSeconds: 0 });
    expect(output.detail).toBe('rollback window of 60 minutes passed: 3 alarms OK, 3 of 3 targets healthy');
  });

  it('uses the window length it is given (an execution override)', async () => {
    expect((await handler(input({ minutesIn: 5, monitoring: { rollbackWindowMinutes: 5 } }))).done).toBe(
      true,
    );
    expect((await handler(input({ minutesIn: 5, monitoring: { rollbackWindowMinutes: 6 } }))).done).toBe(
      false,
    );
  });

  it('is done early when an operator promotes', async () => {
    account.group(GREEN).tags[OPERATOR_REQUEST_TAG] = 'promote';

    const output = await handler(input({ minutesIn: 12 }));

    expect(output).toMatchObject({ done: true, remainingSeconds: 0 });
    expect(output.detail).toBe(
      'promoted early by an operator at 12 of 60 minutes: 3 alarms OK, 3 of 3 targets healthy',
    );
  });

  it('I3: an operator’s rollback request fails fast, before looking at alarms or targets', async () => {
    account.group(GREEN).tags[OPERATOR_REQUEST_TAG] = 'rollback';

    const error = await thrown(handler(input()));

    expect(error.name).toBe('RollbackRequestedError');
    expect(error.message).toContain(`${OPERATOR_REQUEST_TAG}=rollback on webapp-green`);
    expect(cwMock).not.toHaveReceivedCommand(DescribeAlarmsCommand);
    expect(elbMock).not.toHaveReceivedCommand(DescribeTargetHealthCommand);
  });

  it('ignores an operator tag with an unknown value', async () => {
    account.group(GREEN).tags[OPERATOR_REQUEST_TAG] = 'maybe';

    expect((await handler(input())).done).toBe(false);
  });

  it('I3: an alarm in ALARM fails the check, naming the alarm and its reason', async () => {
    account.alarms[0] = {
      name: 'webapp-5xx',
      state: 'ALARM',
      reason: 'Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (5.0).',
    };

    const error = await thrown(handler(input()));

    expect(error.name).toBe('AlarmFiringError');
    expect(error.message).toBe(
      '1 alarm firing during the rollback window: webapp-5xx is ALARM (Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (5.0).)',
    );
    expect(elbMock).not.toHaveReceivedCommand(DescribeTargetHealthCommand);
  });

  it('I3: a composite alarm in ALARM fails the check too', async () => {
    account.alarms.push({
      name: 'webapp-composite',
      type: 'CompositeAlarm',
      state: 'ALARM',
      reason: 'children in ALARM',
    });

    const error = await thrown(
      handler(input({ monitoring: { alarmNames: [...ALARMS, 'webapp-composite'] } })),
    );

    expect(error.name).toBe('AlarmFiringError');
    expect(error.message).toContain('webapp-composite is ALARM (children in ALARM)');
  });

  it('a firing alarm wins over an operator’s promote', async () => {
    account.group(GREEN).tags[OPERATOR_REQUEST_TAG] = 'promote';
    account.alarms[1] = { name: 'webapp-latency', state: 'ALARM' };

    expect((await thrown(handler(input()))).name).toBe('AlarmFiringError');
  });

  it('treats INSUFFICIENT_DATA as OK by default, and says so', async () => {
    account.alarms[0] = { name: 'webapp-5xx', state: 'INSUFFICIENT_DATA' };

    const output = await handler(input());

    expect(output.detail).toBe(
      '12 of 60 minutes: 3 alarms OK (1 with insufficient data), 3 of 3 targets healthy',
    );
  });

  it('treats INSUFFICIENT_DATA as firing when insufficientDataIs is "alarm"', async () => {
    account.alarms[0] = {
      name: 'webapp-5xx',
      state: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
    };

    const error = await thrown(handler(input({ monitoring: { insufficientDataIs: 'alarm' } })));

    expect(error.name).toBe('AlarmFiringError');
    expect(error.message).toContain('webapp-5xx is INSUFFICIENT_DATA (Unchecked: Initial alarm creation)');
  });

  it('refuses to monitor blind: a configured alarm that does not exist is an error naming it', async () => {
    account.alarms = account.alarms.filter((alarm) => alarm.name !== 'webapp-latency');

    const error = await thrown(handler(input()));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('alarm webapp-latency does not exist');
    expect(error.message).toContain('monitoring.alarmNames');
  });

  it('I7: reads every page of alarms (an ALARM on the last page is not missed)', async () => {
    account.alarmPageSize = 2;
    const names = Array.from({ length: 7 }, (_, i) => `alarm-${i}`);
    account.alarms = names.map((name) => ({ name, state: 'OK' }));
    account.alarms[6] = { name: 'alarm-6', state: 'ALARM' };

    const error = await thrown(handler(input({ monitoring: { alarmNames: names } })));

    expect(error.name).toBe('AlarmFiringError');
    expect(cwMock).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 4);
    expect(cwMock).toHaveReceivedNthCommandWith(4, DescribeAlarmsCommand, { NextToken: '6' });
  });

  it('makes no CloudWatch call when no alarm is configured', async () => {
    const output = await handler(input({ monitoring: { alarmNames: [] } }));

    expect(output.detail).toBe('12 of 60 minutes: no alarms configured, 3 of 3 targets healthy');
    expect(cwMock).not.toHaveReceivedCommand(DescribeAlarmsCommand);
  });

  it('I3: more unhealthy new targets than allowed fails the check', async () => {
    account.setHealth(MAIN_TG, ids('green', 1), 'unhealthy');

    const error = await thrown(handler(input()));

    expect(error.name).toBe('UnhealthyTargetsError');
    expect(error.message).toBe(
      '1 of 3 targets of webapp-green are unhealthy in webapp-main (at most 0 allowed by monitoring.maxUnhealthyTargets).',
    );
  });

  it('tolerates unhealthy targets up to maxUnhealthyTargets', async () => {
    account.setHealth(MAIN_TG, ids('green', 2), 'unhealthy');

    const output = await handler(input({ monitoring: { maxUnhealthyTargets: 2 } }));

    expect(output.detail).toBe('12 of 60 minutes: 3 alarms OK, 1 of 3 targets healthy');
  });

  it('gives a replacement instance still in its initial health checks time', async () => {
    account.setHealth(MAIN_TG, ids('green', 1), 'initial');

    expect((await handler(input())).done).toBe(false);
  });

  it('I1: fails when no target of the new version is healthy, whatever maxUnhealthyTargets allows', async () => {
    account.setHealth(MAIN_TG, ids('green', 3), 'unhealthy');

    const error = await thrown(handler(input({ monitoring: { maxUnhealthyTargets: 5 } })));

    expect(error.name).toBe('UnhealthyTargetsError');
    expect(error.message).toContain('No target of webapp-green is healthy in webapp-main');
  });

  it('does not count unhealthy targets of other groups against the new version', async () => {
    account.setHealth(MAIN_TG, ids('blue', 3), 'unhealthy');

    expect((await handler(input())).done).toBe(false);
  });

  it('I7: watches 250 instances with one call per service and a constant-size answer', async () => {
    account.addGroup({ name: GREEN, desired: 250, max: 250, instances: { InService: ids('green', 250) } });
    account.setHealth(MAIN_TG, ids('green', 250), 'healthy');

    const output = await handler(input());

    expect(output.detail).toBe('12 of 60 minutes: 3 alarms OK, 250 of 250 targets healthy');
    expect(Object.keys(output).sort()).toEqual([
      'detail',
      'done',
      'elapsedSeconds',
      'remainingSeconds',
      'startedAt',
      'windowSeconds',
    ]);
    expect(asgMock).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
    expect(elbMock).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 1);
    expect(cwMock).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
  });

  it('maps CloudWatch throttling to TransientAwsError', async () => {
    cwMock.on(DescribeAlarmsCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    expect((await thrown(handler(input()))).name).toBe('TransientAwsError');
  });

  it('applies the monitoring defaults the settings schema defines', async () => {
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
    const error = await thrown(handler({ ...input(), monitoring }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
    expect(asgMock.calls()).toHaveLength(0);
    expect(cwMock.calls()).toHaveLength(0);
  });

  it('rejects a timeoutSeconds: the end of the window is success, not a timeout', async () => {
    const error = await thrown(handler({ ...input(), timeoutSeconds: 600 }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain('timeoutSeconds');
  });
});
