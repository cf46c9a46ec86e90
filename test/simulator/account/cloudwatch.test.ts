import { SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { PublishCommand } from '@aws-sdk/client-sns';
import { DEFAULT_AMIS } from '../../../simulator/account';
import { TrafficGenerator } from '../../../simulator/traffic';
import { createHarness, rejection, type Harness } from './harness';

describe('CloudWatch alarms and SNS', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });
  afterEach(() => h.dispose());

  const stateOf = async (name: string) =>
    await h.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
    );
  const state = async (name: string) => {
    const answer = await stateOf(name);
    return answer.MetricAlarms?.[0]?.StateValue ?? answer.CompositeAlarms?.[0]?.StateValue;
  };

  describe('DescribeAlarms', () => {
    it('returns only metric alarms unless AlarmTypes asks for composite ones', async () => {
      const plain = await h.cloudWatch.send(new DescribeAlarmsCommand({}));
      expect(plain.MetricAlarms?.map((a) => a.AlarmName)).toEqual([
        'webapp-p99-latency',
        'webapp-synthetic-target-5xx',
        'webapp-target-5xx',
        'webapp-unhealthy-hosts',
      ]);
      expect(plain.CompositeAlarms).toBeUndefined();
      const both = await h.cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
      );
      expect(both.CompositeAlarms?.map((a) => [a.AlarmName, a.AlarmRule, a.StateValue])).toEqual([
        [
          'webapp-any-critical',
          'ALARM("webapp-target-5xx") OR ALARM("webapp-synthetic-target-5xx") OR ALARM("webapp-unhealthy-hosts")',
          'OK',
        ],
      ]);
      const composite = await h.cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }),
      );
      expect(composite.MetricAlarms).toBeUndefined();
      expect(both.MetricAlarms?.find((a) => a.AlarmName === 'webapp-p99-latency')).toMatchObject({
        Namespace: 'AWS/ApplicationELB',
        ExtendedStatistic: 'p99',
        Threshold: 1,
        EvaluationPeriods: 3,
        TreatMissingData: 'notBreaching',
      });
    });

    it('paginates with MaxRecords and NextToken, and enforces its parameter rules', async () => {
      const first = await h.cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 4 }),
      );
      expect(first.MetricAlarms).toHaveLength(4);
      expect(first.CompositeAlarms).toHaveLength(0);
      const second = await h.cloudWatch.send(
        new DescribeAlarmsCommand({
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: 4,
          NextToken: first.NextToken,
        }),
      );
      expect([second.MetricAlarms?.length, second.CompositeAlarms?.length, second.NextToken]).toEqual([
        0,
        1,
        undefined,
      ]);

      const combined = await rejection(
        h.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'web' })),
      );
      expect(combined.name).toBe('InvalidParameterCombinationException');
      const names = await rejection(
        h.cloudWatch.send(
          new DescribeAlarmsCommand({ AlarmNames: Array.from({ length: 101 }, (_, i) => `a${i}`) }),
        ),
      );
      expect(names.name).toBe('ValidationException');
      expect((await rejection(h.cloudWatch.send(new DescribeAlarmsCommand({ MaxRecords: 101 })))).name).toBe(
        'ValidationException',
      );
      const prefix = await h.cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: 'webapp-u', StateValue: 'OK' }),
      );
      expect(prefix.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['webapp-unhealthy-hosts']);
    });
  });

  describe('evaluation', () => {
    it('application 5xx trip the 5xx alarm and the composite at the next minute, and clear once they stop', async () => {
      const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 1 });
      h.run(60, () => traffic.tick());
      expect(await state('webapp-target-5xx')).toBe('OK');
      h.account.setVersionBehaviour(DEFAULT_AMIS.current, { errorRate: 1 });
      h.run(60, () => traffic.tick());
      expect(await state('webapp-target-5xx')).toBe('ALARM');
      expect(await state('webapp-any-critical')).toBe('ALARM');
      h.account.setVersionBehaviour(DEFAULT_AMIS.current, {});
      h.run(60, () => traffic.tick());
      expect(await state('webapp-target-5xx')).toBe('OK');
      expect(await state('webapp-any-critical')).toBe('OK');
    });

    it('evaluates at the end of every minute, over the minute that ended: the state changes on the minute, the composite with it', async () => {
      // docs/aws-facts/cloudwatch-alarms.md#evaluation-timing; the harness's clock starts on a whole minute.
      const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 1 });
      h.account.setVersionBehaviour(DEFAULT_AMIS.current, { errorRate: 1 });
      h.run(59, () => traffic.tick());
      expect(Date.now()).toBe(59_000);
      expect(await state('webapp-target-5xx')).toBe('OK');

      h.run(1, () => traffic.tick());
      const answer = await stateOf('webapp-target-5xx');
      const composite = await stateOf('webapp-any-critical');
      expect(answer.MetricAlarms?.[0]).toMatchObject({
        StateValue: 'ALARM',
        StateTransitionedTimestamp: new Date(60_000),
        StateUpdatedTimestamp: new Date(60_000),
      });
      expect(answer.MetricAlarms?.[0]?.StateReason).toContain('(1970-01-01T00:00:00.000Z)');
      expect(composite.CompositeAlarms?.[0]).toMatchObject({
        StateValue: 'ALARM',
        StateTransitionedTimestamp: new Date(60_000),
      });
    });

    it('evaluates an alarm at its own second of each minute when the environment says one, still over the periods complete at the minute', async () => {
      // AWS documents an evaluation every minute, not its second (docs/aws-facts/cloudwatch-alarms.md#evaluation-timing).
      h.dispose();
      h = createHarness({ alarmEvaluationSecond: 40 });
      const before = await stateOf('webapp-target-5xx');
      // Every state was set at an evaluation: the one before the start, 20 s earlier; the composite's with it.
      expect(before.MetricAlarms?.[0]?.StateUpdatedTimestamp).toEqual(new Date(-20_000));
      expect((await stateOf('webapp-any-critical')).CompositeAlarms?.[0]?.StateUpdatedTimestamp).toEqual(
        new Date(-20_000),
      );

      const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 1 });
      h.account.setVersionBehaviour(DEFAULT_AMIS.current, { errorRate: 1 });
      h.run(60, () => traffic.tick());
      // The minute of errors is complete, but its evaluation comes at :40.
      expect(await state('webapp-target-5xx')).toBe('OK');
      h.run(39, () => traffic.tick());
      expect(await state('webapp-target-5xx')).toBe('OK');
      h.run(1, () => traffic.tick());
      expect((await stateOf('webapp-target-5xx')).MetricAlarms?.[0]).toMatchObject({
        StateValue: 'ALARM',
        StateUpdatedTimestamp: new Date(100_000),
      });
      expect(await state('webapp-any-critical')).toBe('ALARM');
    });

    it('sends a "CloudWatch Alarm State Change" event for each change, the metric alarm and the composite alike', () => {
      // docs/aws-facts/cloudwatch-alarms.md#evaluation-timing: CloudWatch sends one whenever an alarm changes state.
      const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 1 });
      h.account.setVersionBehaviour(DEFAULT_AMIS.current, { errorRate: 1 });
      h.run(59, () => traffic.tick());
      expect(h.account.alarmStateChangeEvents).toEqual([]);

      h.run(1, () => traffic.tick());
      const events = h.account.alarmStateChangeEvents;
      expect(events.map((event) => event.detail.alarmName)).toEqual([
        'webapp-target-5xx',
        'webapp-any-critical',
      ]);
      expect(events[0]).toEqual({
        version: '0',
        'detail-type': 'CloudWatch Alarm State Change',
        source: 'aws.cloudwatch',
        account: '123456789012',
        time: '1970-01-01T00:01:00Z',
        region: 'us-east-1',
        resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:webapp-target-5xx'],
        detail: {
          alarmName: 'webapp-target-5xx',
          state: {
            value: 'ALARM',
            reason: expect.stringContaining('Threshold Crossed'),
            timestamp: '1970-01-01T00:01:00.000Z',
          },
          previousState: { value: 'OK', reason: expect.any(String), timestamp: '1970-01-01T00:00:00.000Z' },
        },
      });

      // No change, no event: the next evaluation finds the alarm still in ALARM.
      h.run(60, () => traffic.tick());
      expect(h.account.alarmStateChangeEvents).toHaveLength(2);
    });

    it('the p99 latency alarm needs three breaching minutes', async () => {
      const traffic = new TrafficGenerator(h.account, { requestsPerSecond: 2 });
      h.account.setVersionBehaviour(DEFAULT_AMIS.current, { latencyMs: 1500 });
      h.run(120, () => traffic.tick());
      expect(await state('webapp-p99-latency')).toBe('OK');
      h.run(60, () => traffic.tick());
      expect(await state('webapp-p99-latency')).toBe('ALARM');
    });

    it('the unhealthy-hosts alarm needs two minutes with an unhealthy target', async () => {
      await h.asg.send(
        new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['HealthCheck'] }),
      );
      h.account.setVersionBehaviour(DEFAULT_AMIS.current, { failHealthChecks: true });
      h.run(60);
      expect(await state('webapp-unhealthy-hosts')).toBe('OK');
      h.run(60);
      expect(await state('webapp-unhealthy-hosts')).toBe('ALARM');
      expect(await state('webapp-any-critical')).toBe('ALARM');
    });

    it('SetAlarmState holds until the next evaluation and drives the composite', async () => {
      await h.cloudWatch.send(
        new SetAlarmStateCommand({
          AlarmName: 'webapp-unhealthy-hosts',
          StateValue: 'ALARM',
          StateReason: 'test',
        }),
      );
      expect(await state('webapp-any-critical')).toBe('ALARM');
      h.run(60);
      expect(await state('webapp-unhealthy-hosts')).toBe('OK');
      expect(await state('webapp-any-critical')).toBe('OK');
    });

    it('a composite set by SetAlarmState keeps that state until one of its children changes state', async () => {
      await h.cloudWatch.send(
        new SetAlarmStateCommand({
          AlarmName: 'webapp-any-critical',
          StateValue: 'ALARM',
          StateReason: 'test',
        }),
      );
      h.run(180);
      expect(await state('webapp-unhealthy-hosts')).toBe('OK');
      expect(await state('webapp-any-critical')).toBe('ALARM');

      await h.cloudWatch.send(
        new SetAlarmStateCommand({
          AlarmName: 'webapp-unhealthy-hosts',
          StateValue: 'ALARM',
          StateReason: 'test',
        }),
      );
      h.run(60);
      expect(await state('webapp-unhealthy-hosts')).toBe('OK');
      expect(await state('webapp-any-critical')).toBe('OK');
    });
  });

  it('SNS Publish records the message and returns a MessageId', async () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:deployments';
    const answer = await h.sns.send(
      new PublishCommand({ TopicArn: topic, Subject: 'Rollback', Message: 'manual action needed' }),
    );
    expect(answer.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.account.publishedMessages).toEqual([
      { topicArn: topic, subject: 'Rollback', message: 'manual action needed' },
    ]);
    expect(h.account.snapshot().snsMessages).toBe(1);
    const invalid = await rejection(h.sns.send(new PublishCommand({ TopicArn: 'not-an-arn', Message: 'x' })));
    expect(invalid.name).toBe('InvalidParameterException');
  });
});
