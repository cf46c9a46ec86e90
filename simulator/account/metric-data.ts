/**
 * CloudWatch GetMetricData over the simulated account's metrics (docs/aws-facts/cloudwatch-metrics.md): the
 * ALB's metrics by target group and by load balancer, and the groups' EC2 CPU, each a series identified by
 * its namespace, name and exact set of dimensions.
 */
import {
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { constraintMessage, serviceError } from './errors';
import { isComputable, type MetricStore } from './metrics';
import { paginate } from './pagination';
import { route, type Route } from './router';

const MINUTE_MS = 60_000;
const ALB = 'AWS/ApplicationELB';
/** docs/aws-facts/cloudwatch-metrics.md#getmetricdata: up to 500 queries, 100,800 data points by default. */
const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;
const ID = /^[a-z][a-zA-Z0-9_]*$/;

/**
 * The unit each recorded metric is published in (docs/aws-facts/cloudwatch-metrics.md#alb-metrics): a query
 * naming another unit finds no data, as CloudWatch filters on it.
 */
const UNITS: Record<string, StandardUnit> = {
  RequestCount: 'Count',
  HTTPCode_Target_5XX_Count: 'Count',
  HTTPCode_ELB_5XX_Count: 'Count',
  TargetResponseTime: 'Seconds',
  HealthyHostCount: 'Count',
  UnHealthyHostCount: 'Count',
  CPUUtilization: 'Percent',
};
/** The target metrics also published with the load balancer as their only dimension (over its target groups). */
const PER_LOAD_BALANCER_TOTALS = ['RequestCount', 'HTTPCode_Target_5XX_Count', 'TargetResponseTime'];

const cwError = (name: string, message: string): Error => serviceError('cloudwatch', name, message);

interface Datapoint {
  query: number;
  timestamp: number;
  value: number;
}

export class MetricData {
  constructor(
    private readonly metrics: MetricStore,
    /** The `LoadBalancer` dimension's value: `app/<name>/<id>`. */
    private readonly loadBalancerDimension: string,
    private readonly loadBalancerArn: string,
    private readonly now: () => number,
  ) {}

  routes(): Route[] {
    return [
      route(GetMetricDataCommand, (input) => {
        const queries = input.MetricDataQueries ?? [];
        checkQueries(queries);
        if (!input.StartTime || !input.EndTime) {
          throw cwError(
            'ValidationException',
            constraintMessage('null', input.StartTime ? 'endTime' : 'startTime', 'Member must not be null'),
          );
        }
        // docs/aws-facts/cloudwatch-metrics.md#getmetricdata: StartTime inclusive, rounded down to the
        // minute (data under 15 days old); EndTime exclusive.
        const start = Math.floor(input.StartTime.getTime() / MINUTE_MS) * MINUTE_MS;
        const end = input.EndTime.getTime();
        if (start >= end) {
          // UNCONFIRMED: the code and text.
          throw cwError(
            'InvalidParameterValueException',
            'The parameter StartTime must be less than the parameter EndTime.',
          );
        }
        const maxDatapoints = input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS;
        if (maxDatapoints < 1) {
          throw cwError(
            'ValidationException',
            constraintMessage(String(maxDatapoints), 'maxDatapoints', 'Member must be greater than 0'),
          );
        }
        const ascending = input.ScanBy === 'TimestampAscending';
        const returned = queries.flatMap((query, index) => (query.ReturnData === false ? [] : [index]));
        // Query by query, each one's data points in ScanBy's order.
        const all = returned.flatMap((index) => {
          const points = this.datapoints(queries[index] as MetricDataQuery, index, start, end);
          return ascending ? points : points.reverse();
        });
        const page = paginate(all, input.NextToken, maxDatapoints, 'GetMetricData', () =>
          cwError('InvalidNextToken', 'The service returned an invalid next token.'),
        );
        // The queries with data points on a later page: partial until then.
        const lastHere =
          page.items.length > 0 ? all.indexOf(page.items[page.items.length - 1] as Datapoint) : -1;
        const unfinished = new Set(all.slice(lastHere + 1).map((point) => point.query));
        const results: MetricDataResult[] = returned.map((index) => {
          const query = queries[index] as MetricDataQuery;
          const mine = page.items.filter((point) => point.query === index);
          return {
            Id: query.Id,
            // UNCONFIRMED: without a Label, CloudWatch labels a metric's result with its metric name.
            Label: query.Label ?? query.MetricStat?.Metric?.MetricName,
            Timestamps: mine.map((point) => new Date(point.timestamp)),
            Values: mine.map((point) => point.value),
            StatusCode: unfinished.has(index) ? 'PartialData' : 'Complete',
            Messages: [],
          };
        });
        return { MetricDataResults: results, NextToken: page.nextToken, Messages: [] };
      }),
    ];
  }

  /**
   * One data point per period that has data, oldest first. A minute's data is visible once the minute has
   * ended (docs/aws-facts/cloudwatch-metrics.md#publication: AWS says only that ALB metrics are sent every 60
   * s; the rest is a guess).
   */
  private datapoints(query: MetricDataQuery, index: number, start: number, end: number): Datapoint[] {
    const stat = query.MetricStat;
    if (!stat?.Metric) return [];
    const series = this.seriesFor(
      stat.Metric.Namespace,
      stat.Metric.MetricName ?? '',
      stat.Metric.Dimensions,
    );
    const metricName = stat.Metric.MetricName ?? '';
    if (series.length === 0 || (stat.Unit !== undefined && stat.Unit !== UNITS[metricName])) return [];
    const visibleUntil = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    const periodMs = (stat.Period ?? 60) * 1000;
    const points: Datapoint[] = [];
    for (let from = start; from < end && from < visibleUntil; from += periodMs) {
      const to = Math.min(from + periodMs, end, visibleUntil);
      const value = this.metrics.statistic(series, metricName, stat.Stat ?? '', from, to);
      if (value !== undefined) points.push({ query: index, timestamp: from, value });
    }
    return points;
  }

  /**
   * The recorded series a metric names, matched on its exact dimensions
   * (docs/aws-facts/cloudwatch-metrics.md#dimensions): a metric is its namespace, name and every dimension, so
   * `LoadBalancer` alone is the load balancer's total, not any target group's series.
   */
  private seriesFor(
    namespace: string | undefined,
    metricName: string,
    dimensions: { Name?: string; Value?: string }[] = [],
  ): string[] {
    const byName = new Map(dimensions.map((dimension) => [dimension.Name ?? '', dimension.Value ?? '']));
    if (byName.size !== dimensions.length) return [];
    const names = [...byName.keys()].sort().join(',');
    if (namespace === 'AWS/EC2' && names === 'AutoScalingGroupName' && metricName === 'CPUUtilization') {
      return [`autoscaling-group/${byName.get('AutoScalingGroupName')}`];
    }
    if (namespace !== ALB || byName.get('LoadBalancer') !== this.loadBalancerDimension) return [];
    const targetGroups = this.metrics.seriesKeys().filter((key) => key.includes(':targetgroup/'));
    if (names === 'LoadBalancer,TargetGroup') {
      const wanted = byName.get('TargetGroup');
      // The dimension is the ARN's last part: `targetgroup/<name>/<id>`.
      return targetGroups.filter((arn) => arn.split(':').pop() === wanted);
    }
    if (names !== 'LoadBalancer') return [];
    if (metricName === 'HTTPCode_ELB_5XX_Count') return [this.loadBalancerArn];
    return PER_LOAD_BALANCER_TOTALS.includes(metricName) ? targetGroups : [];
  }
}

/**
 * docs/aws-facts/cloudwatch-metrics.md#getmetricdata: at most 500 queries; each Id unique, starting with a
 * lowercase letter, then letters, digits and underscores; a query has a MetricStat or an Expression, not both;
 * a period of a whole number of minutes for these standard-resolution metrics.
 */
function checkQueries(queries: MetricDataQuery[]): void {
  if (queries.length > MAX_QUERIES) {
    throw cwError(
      'ValidationException',
      constraintMessage(
        `[${queries.length} queries]`,
        'metricDataQueries',
        `Member must have length less than or equal to ${MAX_QUERIES}`,
      ),
    );
  }
  const ids = new Set<string>();
  for (const query of queries) {
    const id = query.Id ?? '';
    if (!ID.test(id) || id.length > 255) {
      // UNCONFIRMED: the exact text; the rule is the API reference's.
      throw cwError(
        'ValidationException',
        `The value ${id} for parameter MetricDataQueries.member.Id is not valid: it must start with a lowercase letter and contain only letters, numbers and underscores.`,
      );
    }
    if (ids.has(id)) {
      // UNCONFIRMED: the code and text.
      throw cwError(
        'InvalidParameterValueException',
        `The values for parameter id in MetricDataQueries are not unique.`,
      );
    }
    ids.add(id);
    if ((query.Expression === undefined) === (query.MetricStat === undefined)) {
      throw cwError(
        'ValidationException',
        `Exactly one element of the metrics list must have either MetricStat or Expression (query ${id}).`,
      );
    }
    if (query.Expression !== undefined) {
      // Not an AWS error: the simulated account serves stored metrics only.
      throw new Error(
        `The simulated account does not model metric math or Metrics Insights (query ${id}: ${query.Expression}); use MetricStat queries`,
      );
    }
    const stat = query.MetricStat;
    const period = stat?.Period ?? 0;
    if (period < 60 || period % 60 !== 0) {
      // UNCONFIRMED: the code and text.
      throw cwError(
        'InvalidParameterValueException',
        `The parameter MetricDataQueries.member.MetricStat.Period must be a multiple of 60 for standard-resolution metrics (query ${id}: ${period}).`,
      );
    }
    const statistic = stat?.Stat ?? '';
    if (!isComputable(statistic)) {
      // The other extended statistics (TM, WM, PR, TC, TS, IQM) exist in CloudWatch; the store keeps
      // nearest-rank percentiles only.
      throw new Error(
        `The simulated account computes Sum, Average, SampleCount, Minimum, Maximum and pNN.NN only, not ${statistic} (query ${id})`,
      );
    }
  }
}
