// Over 250 lines: the CloudWatch API and the alarm evaluation it serves, which share the alarm records.
/**
 * CloudWatch alarms over the simulated ALB's metrics: metric alarms evaluated once a minute (period,
 * evaluation periods, datapoints to alarm, missing-data treatment), composite alarms from their rule.
 */
import {
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
  type CompositeAlarm,
  type MetricAlarm,
  type Statistic,
} from '@aws-sdk/client-cloudwatch';
import { AlarmRule } from './alarm-rule';
import type {
  AlarmDescription,
  AlarmState,
  CompositeAlarmDescription,
  EnvironmentDescription,
  MetricAlarmDescription,
} from './environment';
import { constraintMessage, serviceError } from './errors';
import { MetricData } from './metric-data';
import type { MetricStore } from './metrics';
import { paginate } from './pagination';
import { route, type Route } from './router';

const MINUTE_MS = 60_000;
const STANDARD_STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];

const cwError = (name: string, message: string): Error => serviceError('cloudwatch', name, message);

interface AlarmRecord<D extends AlarmDescription = AlarmDescription> {
  readonly description: D;
  readonly arn: string;
  state: AlarmState;
  reason: string;
  updatedAt: number;
  readonly rule?: AlarmRule;
  /** A metric alarm's last evaluation, as minutes since the epoch counted from its evaluation second. */
  lastEvaluatedMinute: number;
}

/**
 * A "CloudWatch Alarm State Change" event as CloudWatch sends it to EventBridge
 * (docs/aws-facts/cloudwatch-alarms.md#evaluation-timing): the fields AWS's example events carry, less the
 * alarm's configuration.
 */
export interface AlarmStateChangeEvent {
  version: '0';
  'detail-type': 'CloudWatch Alarm State Change';
  source: 'aws.cloudwatch';
  account: string;
  time: string;
  region: string;
  resources: [string];
  detail: {
    alarmName: string;
    state: { value: AlarmState; reason: string; timestamp: string };
    previousState: { value: AlarmState; reason: string; timestamp: string };
  };
}

export class CloudWatch {
  /** Every alarm state change, in order, as the events CloudWatch sends to EventBridge. */
  readonly stateChangeEvents: AlarmStateChangeEvent[] = [];
  private readonly metricAlarms: AlarmRecord<MetricAlarmDescription>[] = [];
  private readonly compositeAlarms: AlarmRecord<CompositeAlarmDescription>[] = [];
  private readonly byName = new Map<string, AlarmRecord>();
  private readonly loadBalancerDimension: string;
  private readonly metricData: MetricData;

  constructor(
    private readonly environment: EnvironmentDescription,
    private readonly metrics: MetricStore,
    private readonly now: () => number,
  ) {
    const start = now();
    this.loadBalancerDimension =
      environment.loadBalancer.arn.split(':loadbalancer/')[1] ?? environment.loadBalancer.name;
    this.metricData = new MetricData(metrics, this.loadBalancerDimension, environment.loadBalancer.arn, now);
    for (const description of environment.alarms) {
      const offset = description.type === 'metric' ? (description.evaluationSecond ?? 0) * 1000 : 0;
      const lastEvaluatedMinute = Math.floor((start - offset) / MINUTE_MS);
      const record: AlarmRecord = {
        description,
        arn: `arn:aws:cloudwatch:${environment.region}:${environment.accountId}:alarm:${description.name}`,
        // The default environment starts in steady state; CloudWatch itself starts new alarms in INSUFFICIENT_DATA.
        state: description.initialState ?? 'OK',
        reason: 'Simulation started in steady state',
        // Set at an evaluation, as every state is: the last one before the start.
        updatedAt: lastEvaluatedMinute * MINUTE_MS + offset,
        rule: description.type === 'composite' ? new AlarmRule(description.rule) : undefined,
        lastEvaluatedMinute,
      };
      this.byName.set(description.name, record);
      if (description.type === 'metric')
        this.metricAlarms.push(record as AlarmRecord<MetricAlarmDescription>);
      else this.compositeAlarms.push(record as AlarmRecord<CompositeAlarmDescription>);
    }
    this.metricAlarms.sort((a, b) => a.description.name.localeCompare(b.description.name));
    this.compositeAlarms.sort((a, b) => a.description.name.localeCompare(b.description.name));
    // The alarms start in the states the environment describes, composites included: CloudWatch evaluates a
    // composite only when one of its children changes state (see evaluateComposites), so a composite's
    // state was last set when one of its children's was.
    for (const composite of this.compositeAlarms) {
      const children = (composite.rule?.references ?? []).map((reference) =>
        this.byName.get(this.nameOf(reference)),
      );
      const changes = children.flatMap((child) => (child ? [child.updatedAt] : []));
      composite.updatedAt = changes.length > 0 ? Math.max(...changes) : start;
    }
  }

  /**
   * Evaluates each metric alarm once per minute, at its own second of the minute (CloudWatch evaluates
   * standard-resolution alarms every minute; AWS does not say at which second), on the periods complete at
   * the minute.
   */
  step(now: number): void {
    const changed = new Set<string>();
    let evaluated = false;
    for (const alarm of this.metricAlarms) {
      const offset = (alarm.description.evaluationSecond ?? 0) * 1000;
      const minute = Math.floor((now - offset) / MINUTE_MS);
      if (minute <= alarm.lastEvaluatedMinute) continue;
      alarm.lastEvaluatedMinute = minute;
      evaluated = true;
      if (this.evaluateMetricAlarm(alarm, minute * MINUTE_MS, now)) changed.add(alarm.description.name);
    }
    if (changed.size > 0) this.evaluateComposites(now, changed);
    if (evaluated) this.metrics.prune(now);
  }

  states(): { name: string; type: 'metric' | 'composite'; state: AlarmState }[] {
    return [...this.metricAlarms, ...this.compositeAlarms].map((alarm) => ({
      name: alarm.description.name,
      type: alarm.description.type,
      state: alarm.state,
    }));
  }

  routes(): Route[] {
    return [
      // GetMetricData (docs/aws-facts/cloudwatch-metrics.md#getmetricdata): the stored metrics by exact dimensions.
      ...this.metricData.routes(),
      route(DescribeAlarmsCommand, (input) => {
        const names = input.AlarmNames ?? [];
        // docs/aws-facts/cloudwatch-alarms.md#describealarms: AlarmNames ≤ 100, not combined with
        // AlarmNamePrefix; MaxRecords ≤ 100.
        if (names.length > 100) {
          throw cwError(
            'ValidationException',
            constraintMessage(
              `[${names.join(', ')}]`,
              'alarmNames',
              'Member must have length less than or equal to 100',
            ),
          );
        }
        if (names.length > 0 && input.AlarmNamePrefix !== undefined) {
          // UNCONFIRMED: exact text.
          throw cwError(
            'InvalidParameterCombinationException',
            'AlarmNames and AlarmNamePrefix cannot be specified together.',
          );
        }
        if (input.MaxRecords !== undefined && (input.MaxRecords < 1 || input.MaxRecords > 100)) {
          throw cwError(
            'ValidationException',
            constraintMessage(
              String(input.MaxRecords),
              'maxRecords',
              'Member must have value less than or equal to 100',
            ),
          );
        }
        // docs/aws-facts/cloudwatch-alarms.md#describealarms: without AlarmTypes only metric alarms are
        // returned.
        const types = input.AlarmTypes?.length ? input.AlarmTypes : ['MetricAlarm'];
        let candidates: AlarmRecord[] = [
          ...(types.includes('MetricAlarm') ? this.metricAlarms : []),
          ...(types.includes('CompositeAlarm') ? this.compositeAlarms : []),
        ];
        if (input.ChildrenOfAlarmName !== undefined) {
          const parent = this.byName.get(input.ChildrenOfAlarmName);
          const children = new Set(parent?.rule?.references.map((reference) => this.nameOf(reference)) ?? []);
          candidates = candidates.filter((alarm) => children.has(alarm.description.name));
        }
        if (input.ParentsOfAlarmName !== undefined) {
          const child = input.ParentsOfAlarmName;
          candidates = candidates.filter((alarm) =>
            alarm.rule?.references.some((reference) => this.nameOf(reference) === child),
          );
        }
        const selected = candidates.filter(
          (alarm) =>
            (names.length === 0 || names.includes(alarm.description.name)) &&
            (input.AlarmNamePrefix === undefined ||
              alarm.description.name.startsWith(input.AlarmNamePrefix)) &&
            (input.StateValue === undefined || alarm.state === input.StateValue),
        );
        const page = paginate(selected, input.NextToken, input.MaxRecords ?? 50, 'DescribeAlarms', () =>
          cwError('InvalidNextToken', 'The service returned an invalid next token.'),
        );
        const metricAlarms: MetricAlarm[] = [];
        const compositeAlarms: CompositeAlarm[] = [];
        for (const alarm of page.items) {
          if (alarm.description.type === 'metric')
            metricAlarms.push(this.describeMetricAlarm(alarm, alarm.description));
          else compositeAlarms.push(this.describeCompositeAlarm(alarm, alarm.description));
        }
        return {
          MetricAlarms: types.includes('MetricAlarm') ? metricAlarms : undefined,
          CompositeAlarms: types.includes('CompositeAlarm') ? compositeAlarms : undefined,
          NextToken: page.nextToken,
        };
      }),
      // SetAlarmState (docs/aws-facts/cloudwatch-alarms.md#alarm-states): a metric alarm's state holds until
      // its next evaluation; a composite's until one of its children changes state. Either way the alarms
      // whose rule names it are evaluated again when it changes.
      route(SetAlarmStateCommand, (input) => {
        const alarm = this.byName.get(input.AlarmName ?? '');
        if (!alarm) throw cwError('ResourceNotFound', `Alarm ${input.AlarmName} not found`);
        const state = input.StateValue;
        if (state !== 'OK' && state !== 'ALARM' && state !== 'INSUFFICIENT_DATA') {
          throw cwError('InvalidParameterValueException', `Invalid state value ${state}`);
        }
        checkStateReason(input.StateReason, input.StateReasonData);
        if (this.transition(alarm, state, input.StateReason ?? '', this.now()))
          this.evaluateComposites(this.now(), new Set([alarm.description.name]));
        return {};
      }),
    ];
  }

  private nameOf(reference: string): string {
    return reference.startsWith('arn:') ? (reference.split(':alarm:')[1] ?? reference) : reference;
  }

  private evaluateMetricAlarm(
    alarm: AlarmRecord<MetricAlarmDescription>,
    boundary: number,
    now: number,
  ): boolean {
    const d = alarm.description;
    const periodMs = d.periodSeconds * 1000;
    const lastEnd = Math.floor(boundary / periodMs) * periodMs;
    let breaching = 0;
    let missing = 0;
    const shown: string[] = [];
    for (let k = 0; k < d.evaluationPeriods; k++) {
      const end = lastEnd - k * periodMs;
      const value = this.metrics.statistic(d.targetGroupArn, d.metricName, d.statistic, end - periodMs, end);
      if (value === undefined) {
        missing++;
        if (d.treatMissingData === 'breaching') breaching++;
        continue;
      }
      shown.push(`${value} (${new Date(end - periodMs).toISOString()})`);
      if (compare(value, d.comparisonOperator, d.threshold)) breaching++;
    }
    let state: AlarmState;
    if (breaching >= d.datapointsToAlarm) state = 'ALARM';
    else if (missing === d.evaluationPeriods && d.treatMissingData === 'missing') state = 'INSUFFICIENT_DATA';
    else if (missing === d.evaluationPeriods && d.treatMissingData === 'ignore') state = alarm.state;
    else state = 'OK';
    const reason =
      `Threshold ${state === 'ALARM' ? 'Crossed' : 'not crossed'}: ${breaching} out of the last ${d.evaluationPeriods} datapoints ` +
      `[${shown.join(', ')}] breached ${d.comparisonOperator} ${d.threshold} (minimum ${d.datapointsToAlarm} for ALARM).`;
    return this.transition(alarm, state, reason, now);
  }

  /**
   * Evaluates the composite alarms whose rule names an alarm that `changed` state (and, in turn, those that
   * name a composite that changed). CloudWatch evaluates a composite when one of its children
   * changes state, not on a schedule: one set by SetAlarmState "returns to its actual state only once any of
   * its children alarms change state"
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html).
   */
  private evaluateComposites(now: number, changed: Set<string>): void {
    const due = new Set<AlarmRecord>();
    // Each pass can only add composites that changed, so this ends after at most one pass per composite.
    for (let pass = 0; pass <= this.compositeAlarms.length; pass++) {
      for (const alarm of this.compositeAlarms) {
        if (alarm.rule?.references.some((reference) => changed.has(this.nameOf(reference)))) due.add(alarm);
      }
      if (due.size === 0) return;
      const next = new Set<string>();
      for (const alarm of due) {
        const rule = alarm.rule;
        if (!rule) continue;
        const inAlarm = rule.evaluate((reference) => this.byName.get(this.nameOf(reference))?.state);
        const reason = `Alarm rule ${inAlarm ? 'is' : 'is not'} true: ${rule.text}`;
        if (this.transition(alarm, inAlarm ? 'ALARM' : 'OK', reason, now)) next.add(alarm.description.name);
      }
      due.clear();
      changed = next;
    }
  }

  /** Whether the alarm changed state. */
  private transition(alarm: AlarmRecord, state: AlarmState, reason: string, now: number): boolean {
    if (alarm.state === state) return false;
    const previousState = {
      value: alarm.state,
      reason: alarm.reason,
      timestamp: new Date(alarm.updatedAt).toISOString(),
    };
    alarm.state = state;
    alarm.reason = reason;
    alarm.updatedAt = now;
    this.stateChangeEvents.push({
      version: '0',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: this.environment.accountId,
      // Whole seconds, as in AWS's example events.
      time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.environment.region,
      resources: [alarm.arn],
      detail: {
        alarmName: alarm.description.name,
        state: { value: state, reason, timestamp: new Date(now).toISOString() },
        previousState,
      },
    });
    return true;
  }

  private describeMetricAlarm(alarm: AlarmRecord, d: MetricAlarmDescription): MetricAlarm {
    const standard = STANDARD_STATISTICS.includes(d.statistic);
    return {
      ...this.describeCommon(alarm),
      MetricName: d.metricName,
      Namespace: 'AWS/ApplicationELB',
      Statistic: standard ? (d.statistic as Statistic) : undefined,
      ExtendedStatistic: standard ? undefined : d.statistic,
      Dimensions: [
        { Name: 'TargetGroup', Value: d.targetGroupArn.split(':').pop() ?? d.targetGroupArn },
        { Name: 'LoadBalancer', Value: this.loadBalancerDimension },
      ],
      Period: d.periodSeconds,
      EvaluationPeriods: d.evaluationPeriods,
      DatapointsToAlarm: d.datapointsToAlarm,
      Threshold: d.threshold,
      ComparisonOperator: d.comparisonOperator,
      TreatMissingData: d.treatMissingData,
    };
  }

  private describeCompositeAlarm(alarm: AlarmRecord, d: CompositeAlarmDescription): CompositeAlarm {
    return { ...this.describeCommon(alarm), AlarmRule: d.rule };
  }

  private describeCommon(alarm: AlarmRecord): MetricAlarm & CompositeAlarm {
    return {
      AlarmName: alarm.description.name,
      AlarmArn: alarm.arn,
      AlarmDescription: alarm.description.description,
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      StateValue: alarm.state,
      StateReason: alarm.reason,
      StateUpdatedTimestamp: new Date(alarm.updatedAt),
      StateTransitionedTimestamp: new Date(alarm.updatedAt),
      AlarmConfigurationUpdatedTimestamp: new Date(0),
    };
  }
}

function compare(
  value: number,
  operator: MetricAlarmDescription['comparisonOperator'],
  threshold: number,
): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

/**
 * SetAlarmState: StateReason is required, up to 1,023 characters; StateReasonData up to 4,000 and JSON,
 * else InvalidFormat ("Data was not syntactically valid JSON")
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html).
 */
function checkStateReason(reason: string | undefined, data: string | undefined): void {
  if (reason === undefined) {
    throw cwError('ValidationException', constraintMessage('null', 'stateReason', 'Member must not be null'));
  }
  if (reason.length > 1023) {
    throw cwError(
      'ValidationException',
      constraintMessage(reason, 'stateReason', 'Member must have length less than or equal to 1023'),
    );
  }
  if (data === undefined) return;
  if (data.length > 4000) {
    throw cwError(
      'ValidationException',
      constraintMessage(data, 'stateReasonData', 'Member must have length less than or equal to 4000'),
    );
  }
  try {
    JSON.parse(data);
  } catch {
    throw cwError('InvalidFormat', 'Data was not syntactically valid JSON');
  }
}
