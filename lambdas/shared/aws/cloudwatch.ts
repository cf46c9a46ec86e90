import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type CompositeAlarm,
  type MetricAlarm,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { allPages, inBatches } from '../batch';
import { callAws, CLIENT_CONFIG } from './call';

export const cloudWatch = new CloudWatchClient(CLIENT_CONFIG);

const MAX_ALARM_NAMES_PER_CALL = 100;

export interface AlarmState {
  name: string;
  type: 'MetricAlarm' | 'CompositeAlarm';
  state: StateValue | undefined;
  reason?: string;
  /** When the state (or its evaluation state) last changed: at one of CloudWatch's evaluations of it. */
  lastChangedAt?: Date;
}

/**
 * An alarm's name from its name or its ARN (`arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME`, CloudWatch's
 * resource type "alarm" in the Service Authorization Reference): the configuration accepts either.
 */
export function alarmNameOf(nameOrArn: string): string {
  const match = /^arn:aws[a-z-]*:cloudwatch:[^:]*:\d{12}:alarm:(.+)$/.exec(nameOrArn);
  return match ? match[1] : nameOrArn;
}

/**
 * States of the named alarms, metric and composite: DescribeAlarms returns only metric alarms unless
 * AlarmTypes asks for both (docs/aws-facts/cloudwatch-alarms.md#describealarms), which would silently drop
 * every composite alarm.
 */
export async function alarmStates(names: readonly string[]): Promise<AlarmState[]> {
  const states: AlarmState[] = [];
  await inBatches([...new Set(names.map(alarmNameOf))], MAX_ALARM_NAMES_PER_CALL, async (AlarmNames) => {
    const described = await allPages(async (NextToken) => {
      const page = await callAws('DescribeAlarms', () =>
        cloudWatch.send(
          new DescribeAlarmsCommand({
            AlarmNames,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: 100,
            NextToken,
          }),
        ),
      );
      const stateOf =
        (type: AlarmState['type']) =>
        (alarm: MetricAlarm | CompositeAlarm): AlarmState => ({
          name: alarm.AlarmName ?? '',
          type,
          state: alarm.StateValue,
          reason: alarm.StateReason,
          lastChangedAt: alarm.StateUpdatedTimestamp ?? alarm.StateTransitionedTimestamp,
        });
      return {
        items: [
          ...(page.MetricAlarms ?? []).map(stateOf('MetricAlarm')),
          ...(page.CompositeAlarms ?? []).map(stateOf('CompositeAlarm')),
        ],
        next: page.NextToken,
      };
    });
    states.push(...described);
  });
  return states;
}

/** What a target group served over a period, from the load balancer's metrics. */
export interface TrafficFigures {
  requests: number;
  /** Requests its targets answered with a 5xx. */
  errors: number;
  /** Average target response time, in milliseconds; 0 without requests. */
  latencyMs: number;
}

/**
 * ALB metric dimensions: `LoadBalancer` is the part of the load balancer's ARN after "loadbalancer/", and
 * `TargetGroup` the part of the target group's after its last ":" (docs/aws-facts/cloudwatch-alarms.md#alb-metrics).
 */
export function loadBalancerDimension(loadBalancerArn: string): string {
  return loadBalancerArn.slice(loadBalancerArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
}
export function targetGroupDimension(targetGroupArn: string): string {
  return targetGroupArn.slice(targetGroupArn.lastIndexOf(':') + 1);
}

const MINUTE = 60;

/**
 * Each target group's traffic from `start` to `end` (whole minutes), summed over the load balancers that
 * route to it, in one GetMetricData call: RequestCount and HTTPCode_Target_5XX_Count summed, and
 * TargetResponseTime averaged by its sample count, per minute (namespace AWS/ApplicationELB).
 */
export async function targetGroupTraffic(
  loadBalancerArns: readonly string[],
  targetGroupArns: readonly string[],
  start: Date,
  end: Date,
): Promise<TrafficFigures[]> {
  const metric = (name: string, loadBalancer: string, targetGroup: string) => ({
    Namespace: 'AWS/ApplicationELB',
    MetricName: name,
    Dimensions: [
      { Name: 'LoadBalancer', Value: loadBalancerDimension(loadBalancer) },
      { Name: 'TargetGroup', Value: targetGroupDimension(targetGroup) },
    ],
  });
  const queries = targetGroupArns.flatMap((targetGroup, t) =>
    loadBalancerArns.flatMap((loadBalancer, l) => [
      {
        Id: `requests_${t}_${l}`,
        MetricStat: {
          Metric: metric('RequestCount', loadBalancer, targetGroup),
          Period: MINUTE,
          Stat: 'Sum',
        },
      },
      {
        Id: `errors_${t}_${l}`,
        MetricStat: {
          Metric: metric('HTTPCode_Target_5XX_Count', loadBalancer, targetGroup),
          Period: MINUTE,
          Stat: 'Sum',
        },
      },
      {
        Id: `latency_${t}_${l}`,
        MetricStat: {
          Metric: metric('TargetResponseTime', loadBalancer, targetGroup),
          Period: MINUTE,
          Stat: 'Average',
        },
      },
      {
        Id: `samples_${t}_${l}`,
        MetricStat: {
          Metric: metric('TargetResponseTime', loadBalancer, targetGroup),
          Period: MINUTE,
          Stat: 'SampleCount',
        },
      },
    ]),
  );
  const series = new Map<string, Map<number, number>>();
  await allPages(async (NextToken) => {
    const page = await callAws('GetMetricData', () =>
      cloudWatch.send(
        new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, NextToken }),
      ),
    );
    for (const result of page.MetricDataResults ?? []) {
      const points = series.get(result.Id ?? '') ?? new Map<number, number>();
      (result.Timestamps ?? []).forEach((timestamp, i) =>
        points.set(timestamp.getTime(), result.Values?.[i] ?? 0),
      );
      series.set(result.Id ?? '', points);
    }
    return { items: [], next: page.NextToken };
  });
  const sum = (id: string) =>
    [...(series.get(id)?.values() ?? [])].reduce((total, value) => total + value, 0);
  return targetGroupArns.map((_, t) => {
    let requests = 0;
    let errors = 0;
    let latencySeconds = 0;
    let samples = 0;
    loadBalancerArns.forEach((__, l) => {
      requests += sum(`requests_${t}_${l}`);
      errors += sum(`errors_${t}_${l}`);
      const averages = series.get(`latency_${t}_${l}`) ?? new Map<number, number>();
      for (const [timestamp, count] of series.get(`samples_${t}_${l}`) ?? []) {
        latencySeconds += (averages.get(timestamp) ?? 0) * count;
        samples += count;
      }
    });
    return { requests, errors, latencyMs: samples === 0 ? 0 : (latencySeconds / samples) * 1000 };
  });
}
