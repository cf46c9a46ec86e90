/**
 * Per-minute ALB metrics by target group, as CloudWatch stores them (namespace AWS/ApplicationELB): the
 * load balancer records requests, the target groups record host counts once per simulated second.
 */

interface Bucket {
  sum: number;
  count: number;
  max: number;
  min: number;
  /** value → number of samples, for percentiles (latencies take few distinct values, so this stays small). */
  histogram: Map<number, number>;
}

const MINUTE_MS = 60_000;
/** Alarms look back at most a few periods; a day is plenty and keeps long simulations bounded. */
const RETENTION_MINUTES = 24 * 60;

export class MetricStore {
  /** target group (or load balancer) ARN → metric name → minute → bucket */
  private readonly series = new Map<string, Map<string, Map<number, Bucket>>>();

  record(targetGroupArn: string, metricName: string, value: number, now: number, samples = 1): void {
    let metrics = this.series.get(targetGroupArn);
    if (!metrics) {
      metrics = new Map();
      this.series.set(targetGroupArn, metrics);
    }
    let minutes = metrics.get(metricName);
    if (!minutes) {
      minutes = new Map();
      metrics.set(metricName, minutes);
    }
    const minute = Math.floor(now / MINUTE_MS);
    let bucket = minutes.get(minute);
    if (!bucket) {
      bucket = { sum: 0, count: 0, max: -Infinity, min: Infinity, histogram: new Map() };
      minutes.set(minute, bucket);
    }
    bucket.sum += value * samples;
    bucket.count += samples;
    if (value > bucket.max) bucket.max = value;
    if (value < bucket.min) bucket.min = value;
    bucket.histogram.set(value, (bucket.histogram.get(value) ?? 0) + samples);
  }

  /**
   * The statistic over [startMs, endMs), or undefined when no data point was published in that range. Given
   * several series (a load balancer's total over its target groups), their samples count together.
   */
  statistic(
    series: string | readonly string[],
    metricName: string,
    statistic: string,
    startMs: number,
    endMs: number,
  ): number | undefined {
    const merged: Bucket = { sum: 0, count: 0, max: -Infinity, min: Infinity, histogram: new Map() };
    for (const key of typeof series === 'string' ? [series] : series) {
      const minutes = this.series.get(key)?.get(metricName);
      if (!minutes) continue;
      for (let minute = Math.floor(startMs / MINUTE_MS); minute < Math.ceil(endMs / MINUTE_MS); minute++) {
        const bucket = minutes.get(minute);
        if (!bucket) continue;
        merged.sum += bucket.sum;
        merged.count += bucket.count;
        merged.max = Math.max(merged.max, bucket.max);
        merged.min = Math.min(merged.min, bucket.min);
        for (const [value, count] of bucket.histogram) {
          merged.histogram.set(value, (merged.histogram.get(value) ?? 0) + count);
        }
      }
    }
    if (merged.count === 0) return undefined;
    return compute(merged, statistic);
  }

  /** The series recorded so far (target group and load balancer ARNs, `autoscaling-group/<name>`). */
  seriesKeys(): string[] {
    return [...this.series.keys()];
  }

  prune(now: number): void {
    const oldest = Math.floor(now / MINUTE_MS) - RETENTION_MINUTES;
    for (const metrics of this.series.values()) {
      for (const minutes of metrics.values()) {
        for (const minute of minutes.keys()) if (minute < oldest) minutes.delete(minute);
      }
    }
  }
}

/** Statistics the store can compute: the five standard ones and nearest-rank percentiles (`p99`, `p99.9`). */
export function isComputable(statistic: string): boolean {
  return STANDARD.includes(statistic) || PERCENTILE.test(statistic);
}

const STANDARD = ['Sum', 'Maximum', 'Minimum', 'Average', 'SampleCount'];
const PERCENTILE = /^p(\d{1,2}(?:\.\d{1,10})?|100)$/;

function compute(bucket: Bucket, statistic: string): number {
  switch (statistic) {
    case 'Sum':
      return bucket.sum;
    case 'Maximum':
      return bucket.max;
    case 'Minimum':
      return bucket.min;
    case 'Average':
      return bucket.sum / bucket.count;
    case 'SampleCount':
      return bucket.count;
  }
  const percentile = PERCENTILE.exec(statistic);
  if (!percentile) throw new Error(`Unsupported statistic ${statistic}`);
  // Nearest-rank percentile over the samples.
  const rank = Math.ceil((Number(percentile[1]) / 100) * bucket.count);
  let seen = 0;
  for (const value of [...bucket.histogram.keys()].sort((a, b) => a - b)) {
    seen += bucket.histogram.get(value) ?? 0;
    if (seen >= rank) return value;
  }
  return bucket.max;
}
