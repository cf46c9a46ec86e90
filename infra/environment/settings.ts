/**
 * The reference application environment's settings: the one place that both the CDK stack that builds
 * the environment (`infra/environment/`) and the simulated AWS account (`simulator/`) read, so the
 * simulation runs against the same health-check timing, draining and alarms a real deployment gets.
 */

export interface HealthCheckSettings {
  readonly path: string;
  /** Seconds between checks of one target (ALB allows 5–300). */
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  /** Consecutive passes that make an unhealthy target healthy (2–10). A newly registered target needs one. */
  readonly healthyThresholdCount: number;
  /** Consecutive failures that make a healthy target unhealthy (2–10). */
  readonly unhealthyThresholdCount: number;
  readonly matcherHttpCode: string;
}

export interface CapacitySettings {
  readonly min: number;
  readonly desired: number;
  readonly max: number;
}

export interface AlarmSettings {
  /** Alarm name suffix; the full name is `<applicationName>-<suffix>`. */
  readonly suffix: string;
  /**
   * The target group whose metric it watches (default `main`). A shift by weight serves the new version's
   * share from the synthetic target group (docs/design.md#gradual-shift): an alarm there sees it.
   */
  readonly targetGroup?: 'main' | 'synthetic';
  readonly metricName: 'HTTPCode_Target_5XX_Count' | 'UnHealthyHostCount' | 'TargetResponseTime';
  readonly statistic: 'Sum' | 'Maximum' | 'p99';
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** How the statistic is compared with the threshold (the CloudWatch `ComparisonOperator`). */
  readonly comparisonOperator: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold';
  /**
   * How periods without data count (the CloudWatch `TreatMissingData`). ALB publishes
   * HTTPCode_Target_5XX_Count only when non-zero and TargetResponseTime only when there were requests,
   * so a gap there means "no errors" / "no traffic": `notBreaching`. UnHealthyHostCount is published every
   * minute while the target group has targets; `notBreaching` too, so a rare gap reads as OK instead of
   * INSUFFICIENT_DATA, which the orchestrator would have to interpret.
   */
  readonly treatMissingData: 'notBreaching' | 'missing' | 'breaching' | 'ignore';
  readonly description: string;
}

export interface ReferenceEnvironmentSettings {
  readonly applicationName: string;
  readonly healthCheck: HealthCheckSettings;
  /** Seconds a deregistered target drains before it is removed (ALB allows 0–3600, default 300). */
  readonly deregistrationDelaySeconds: number;
  readonly syntheticHeader: { readonly name: string; readonly value: string };
  readonly syntheticRulePriority: number;
  /** Grace period before Auto Scaling acts on ELB health of a new (or returning-from-Standby) instance. */
  readonly healthCheckGracePeriodSeconds: number;
  /** Capacity of the group that serves when the environment is created; the other group starts at zero. */
  readonly initialCapacity: CapacitySettings;
  /** Upper bound of either group's MaxSize. */
  readonly maxGroupSize: number;
  readonly instanceType: string;
  readonly alarms: readonly AlarmSettings[];
}

/**
 * Timing chosen for fast, safe deployments: a 10 s interval with a threshold of 2 lets a new target turn
 * healthy within ~10–20 s of boot and a failing one turn unhealthy within ~20 s; a 30 s deregistration
 * delay covers the application's longest request with margin while keeping the traffic shift and the
 * rollback short (the default 300 s would add ten minutes to every deployment for nothing).
 */
export const referenceEnvironment: ReferenceEnvironmentSettings = {
  applicationName: 'webapp',
  healthCheck: {
    path: '/health',
    intervalSeconds: 10,
    timeoutSeconds: 5,
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 2,
    matcherHttpCode: '200',
  },
  deregistrationDelaySeconds: 30,
  syntheticHeader: { name: 'Synthetic', value: 'True' },
  syntheticRulePriority: 10,
  healthCheckGracePeriodSeconds: 60,
  initialCapacity: { min: 2, desired: 3, max: 6 },
  maxGroupSize: 10,
  instanceType: 't3.micro',
  alarms: [
    {
      suffix: 'target-5xx',
      metricName: 'HTTPCode_Target_5XX_Count',
      statistic: 'Sum',
      threshold: 5,
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      description: 'The application answered 5 or more requests with a 5xx in one minute.',
    },
    {
      suffix: 'synthetic-target-5xx',
      targetGroup: 'synthetic',
      metricName: 'HTTPCode_Target_5XX_Count',
      statistic: 'Sum',
      threshold: 5,
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      description:
        'The new version answered 5 or more requests with a 5xx in one minute through the synthetic target group (its share of a shift by weight).',
    },
    {
      suffix: 'unhealthy-hosts',
      metricName: 'UnHealthyHostCount',
      statistic: 'Maximum',
      threshold: 1,
      periodSeconds: 60,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      description: 'At least one target of the main target group was unhealthy for two minutes.',
    },
    {
      suffix: 'p99-latency',
      metricName: 'TargetResponseTime',
      statistic: 'p99',
      threshold: 1,
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      description: 'The 99th percentile response time stayed above 1 s for three minutes.',
    },
  ],
};

/** Full alarm names as created in the account and watched by the orchestrator by default. */
export function alarmNames(settings: ReferenceEnvironmentSettings = referenceEnvironment): string[] {
  return settings.alarms.map((alarm) => `${settings.applicationName}-${alarm.suffix}`);
}
