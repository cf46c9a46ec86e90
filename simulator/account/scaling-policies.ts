// Over 250 lines: the three scaling-policy operations and the target-tracking loop they configure, which share one policy record.
/**
 * Target tracking scaling policies of the Auto Scaling groups (docs/aws-facts/scaling-policies.md):
 * PutScalingPolicy, DescribePolicies and DeletePolicy as the API reference documents them, and what a
 * target tracking policy does once a minute with the two alarms it creates: scale out in proportion to the
 * metric when it stays above the target, scale in more slowly when it stays well below, never outside
 * [MinSize, MaxSize], never while the group's AlarmNotification process is suspended, and without counting
 * instances still in their warmup.
 */
import {
  DeletePolicyCommand,
  DescribePoliciesCommand,
  PutScalingPolicyCommand,
  type ScalingPolicy,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingGroupState } from './auto-scaling-group';
import type { EnvironmentDescription } from './environment';
import { serviceError } from './errors';
import type { Instance } from './instances';
import type { MetricStore } from './metrics';
import { paginate } from './pagination';
import type { Random } from './random';
import { route, type Route } from './router';

/** A target tracking policy as an environment describes it (GroupDescription.scalingPolicies). */
export interface ScalingPolicyDescription {
  name: string;
  metric: PredefinedMetric;
  /** Requests per target per minute (ALBRequestCountPerTarget) or percent (ASGAverageCPUUtilization). */
  targetValue: number;
  /** ALBRequestCountPerTarget: the target group whose requests count (its ResourceLabel is derived). */
  targetGroupArn?: string;
  disableScaleIn?: boolean;
  /** EstimatedInstanceWarmup, seconds (default: the default cooldown, 300 s). */
  estimatedInstanceWarmupSeconds?: number;
}

export type PredefinedMetric = 'ALBRequestCountPerTarget' | 'ASGAverageCPUUtilization';
const PREDEFINED_METRICS: readonly string[] = [
  'ASGAverageCPUUtilization',
  'ASGAverageNetworkIn',
  'ASGAverageNetworkOut',
  'ALBRequestCountPerTarget',
];
const POLICY_TYPES: readonly string[] = [
  'SimpleScaling',
  'StepScaling',
  'TargetTrackingScaling',
  'PredictiveScaling',
];

const MINUTE_MS = 60_000;
/**
 * docs/aws-facts/scaling-policies.md#warmup: without EstimatedInstanceWarmup (and without a default instance
 * warmup, which the simulated groups do not have) the warmup is the default cooldown, 300 s.
 */
const DEFAULT_WARMUP_SECONDS = 300;
/**
 * docs/aws-facts/scaling-policies.md#the-alarms-it-creates: UNCONFIRMED figures, as the alarms target tracking
 * creates are seen in accounts: high, above the target for 3 one-minute data points; low, below 90 % of it
 * for 15.
 */
const HIGH_DATAPOINTS = 3;
const LOW_DATAPOINTS = 15;
const LOW_FACTOR = 0.9;

/** The CPU series of a group in the metric store (AWS/EC2 CPUUtilization by AutoScalingGroupName). */
const cpuSeries = (groupName: string): string => `autoscaling-group/${groupName}`;

interface TrackingAlarm {
  readonly name: string;
  readonly arn: string;
  /** Consecutive breaching data points. */
  breaching: number;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
}

interface Policy {
  readonly groupName: string;
  readonly name: string;
  readonly arn: string;
  metric: PredefinedMetric;
  resourceLabel?: string;
  targetGroupArn?: string;
  targetValue: number;
  disableScaleIn: boolean;
  warmupSeconds?: number;
  enabled: boolean;
  readonly high: TrackingAlarm;
  readonly low: TrackingAlarm;
}

interface ScalingPolicyDependencies {
  environment: EnvironmentDescription;
  groups: Map<string, AutoScalingGroupState>;
  metrics: MetricStore;
  ids: Random;
  /** Percent of its capacity the instance used in the last second (application.ts). */
  cpuUtilization: (instance: Instance, now: number) => number;
  /** Set the group's desired capacity as its scaling policy does (within [min, max]). */
  setDesired: (group: AutoScalingGroupState, desired: number) => void;
}

/** One change of a group's desired capacity by one of its policies. */
export interface ScalingAction {
  at: number;
  groupName: string;
  policyName: string;
  from: number;
  to: number;
  cause: string;
}

const validation = (message: string): Error => serviceError('autoscaling', 'ValidationError', message);

export class ScalingPolicies {
  private readonly policies = new Map<string, Policy>();
  /** What the policies did, in order. */
  readonly actions: ScalingAction[] = [];
  /** The minute last evaluated (alarms evaluate once a minute, docs/aws-facts/cloudwatch-alarms.md). */
  private evaluatedMinute = -1;

  constructor(private readonly deps: ScalingPolicyDependencies) {
    for (const group of Object.values(deps.environment.groups)) {
      for (const policy of group.scalingPolicies ?? []) this.seed(group.name, policy);
    }
  }

  routes(): Route[] {
    return [
      // Auto Scaling API reference, PutScalingPolicy: creates or updates a policy (same group and name).
      route(PutScalingPolicyCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const name = input.PolicyName;
        if (!name) throw validation('1 validation error detected: PolicyName must not be null');
        const type = input.PolicyType ?? 'SimpleScaling';
        if (!POLICY_TYPES.includes(type)) throw validation(`Invalid policy type: ${type}`);
        if (type !== 'TargetTrackingScaling') {
          throw new Error(`The simulated account models only TargetTrackingScaling policies, not ${type}`);
        }
        const config = input.TargetTrackingConfiguration;
        if (!config) throw validation('TargetTrackingConfiguration is required for TargetTrackingScaling.');
        if (config.TargetValue === undefined) throw validation('TargetValue is required.');
        const spec = config.PredefinedMetricSpecification;
        if (!spec) {
          throw new Error(
            'The simulated account models only predefined metrics (CustomizedMetricSpecification)',
          );
        }
        const metric = spec.PredefinedMetricType ?? '';
        if (!PREDEFINED_METRICS.includes(metric))
          throw validation(`Invalid predefined metric type: ${metric}`);
        if (metric !== 'ALBRequestCountPerTarget' && metric !== 'ASGAverageCPUUtilization') {
          throw new Error(`The simulated account models only request count and CPU, not ${metric}`);
        }
        const targetGroupArn = this.targetGroupOf(group, metric, spec.ResourceLabel);
        const policy = this.put(group.name, {
          name,
          metric,
          targetValue: config.TargetValue,
          targetGroupArn,
          disableScaleIn: config.DisableScaleIn,
          estimatedInstanceWarmupSeconds: input.EstimatedInstanceWarmup,
        });
        policy.enabled = input.Enabled ?? true;
        return { PolicyARN: policy.arn, Alarms: alarmsOf(policy) };
      }),

      // Auto Scaling API reference, DescribePolicies: MaxRecords default 50, at most 100.
      route(DescribePoliciesCommand, (input) => {
        const maxRecords = input.MaxRecords ?? 50;
        if (maxRecords < 1 || maxRecords > 100) {
          throw validation(
            `1 validation error detected: Value '${maxRecords}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100`,
          );
        }
        const names = input.PolicyNames ?? [];
        const types = input.PolicyTypes ?? [];
        const wanted = [...this.policies.values()].filter(
          (policy) =>
            (input.AutoScalingGroupName === undefined || policy.groupName === input.AutoScalingGroupName) &&
            (names.length === 0 || names.includes(policy.name) || names.includes(policy.arn)) &&
            (types.length === 0 || types.includes('TargetTrackingScaling')),
        );
        const page = paginate(wanted, input.NextToken, maxRecords, 'DescribePolicies', () =>
          serviceError('autoscaling', 'InvalidNextToken', 'The token provided is not valid.'),
        );
        return { ScalingPolicies: page.items.map(describe), NextToken: page.nextToken };
      }),

      // Auto Scaling API reference, DeletePolicy: PolicyName takes the name or the ARN; the policy's alarms go.
      route(DeletePolicyCommand, (input) => {
        const key = input.PolicyName ?? '';
        const policy = [...this.policies.values()].find(
          (candidate) =>
            candidate.arn === key ||
            (candidate.name === key &&
              (input.AutoScalingGroupName === undefined ||
                candidate.groupName === input.AutoScalingGroupName)),
        );
        // UNCONFIRMED: the error for a policy that does not exist.
        if (!policy) throw validation(`Policy ${key} not found`);
        this.policies.delete(policyKey(policy.groupName, policy.name));
        return {};
      }),
    ];
  }

  /** The policies of a group, as tests and the report read them. */
  describe(groupName: string): ScalingPolicy[] {
    return [...this.policies.values()].filter((policy) => policy.groupName === groupName).map(describe);
  }

  /** Once a simulated second: the groups' CPU, and at each minute the policies' alarms and actions. */
  step(now: number): void {
    if (this.policies.size === 0) return;
    const cpuGroups = new Set(
      [...this.policies.values()]
        .filter((policy) => policy.metric === 'ASGAverageCPUUtilization')
        .map((policy) => policy.groupName),
    );
    for (const name of cpuGroups) this.recordCpu(name, now);
    const minute = Math.floor(now / MINUTE_MS);
    if (now % MINUTE_MS !== 0 || minute === this.evaluatedMinute) return;
    this.evaluatedMinute = minute;
    for (const policy of this.policies.values()) this.evaluate(policy, now);
  }

  private seed(groupName: string, description: ScalingPolicyDescription): void {
    const group = this.deps.groups.get(groupName);
    if (group) this.put(groupName, description);
  }

  private put(groupName: string, description: ScalingPolicyDescription): Policy {
    const key = policyKey(groupName, description.name);
    const existing = this.policies.get(key);
    const { region, accountId } = this.deps.environment;
    const alarm = (kind: 'High' | 'Low'): TrackingAlarm => {
      const name = `TargetTracking-${groupName}-Alarm${kind}-${this.deps.ids.uuid()}`;
      return {
        name,
        arn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`,
        breaching: 0,
        state: 'INSUFFICIENT_DATA',
      };
    };
    const policy: Policy = existing ?? {
      groupName,
      name: description.name,
      arn: `arn:aws:autoscaling:${region}:${accountId}:scalingPolicy:${this.deps.ids.uuid()}:autoScalingGroupName/${groupName}:policyName/${description.name}`,
      metric: description.metric,
      targetValue: description.targetValue,
      disableScaleIn: false,
      enabled: true,
      high: alarm('High'),
      low: alarm('Low'),
    };
    Object.assign(policy, {
      metric: description.metric,
      targetValue: description.targetValue,
      targetGroupArn: description.targetGroupArn,
      resourceLabel: description.targetGroupArn ? this.resourceLabel(description.targetGroupArn) : undefined,
      disableScaleIn: description.disableScaleIn ?? false,
      warmupSeconds: description.estimatedInstanceWarmupSeconds,
    });
    this.policies.set(key, policy);
    return policy;
  }

  /** The metric's one-minute data point that ended at `now`, or undefined when none was published. */
  private datapoint(policy: Policy, now: number): number | undefined {
    const from = now - MINUTE_MS;
    if (policy.metric === 'ASGAverageCPUUtilization') {
      return this.deps.metrics.statistic(cpuSeries(policy.groupName), 'CPUUtilization', 'Average', from, now);
    }
    // docs/aws-facts/scaling-policies.md#metrics: RequestCountPerTarget, the target group's requests over its
    // healthy targets.
    const arn = policy.targetGroupArn ?? '';
    const requests = this.deps.metrics.statistic(arn, 'RequestCount', 'Sum', from, now);
    const healthy = this.deps.metrics.statistic(arn, 'HealthyHostCount', 'Average', from, now);
    if (requests === undefined || !healthy) return undefined;
    return requests / healthy;
  }

  private evaluate(policy: Policy, now: number): void {
    const value = this.datapoint(policy, now);
    const tally = (alarm: TrackingAlarm, breaching: boolean | undefined, needed: number) => {
      alarm.breaching = breaching ? alarm.breaching + 1 : 0;
      if (breaching === undefined) alarm.state = 'INSUFFICIENT_DATA';
      else alarm.state = alarm.breaching >= needed ? 'ALARM' : 'OK';
    };
    tally(policy.high, value === undefined ? undefined : value > policy.targetValue, HIGH_DATAPOINTS);
    tally(
      policy.low,
      value === undefined ? undefined : value < policy.targetValue * LOW_FACTOR,
      LOW_DATAPOINTS,
    );
    const group = this.deps.groups.get(policy.groupName);
    // docs/aws-facts/scaling-policies.md#suspended-alarmnotification: no policy acts while it is suspended.
    if (!group || value === undefined || !policy.enabled || group.isSuspended('AlarmNotification')) return;
    const warmupMs = (policy.warmupSeconds ?? DEFAULT_WARMUP_SECONDS) * 1000;
    const warmed = [...group.instances.values()].filter(
      (instance) =>
        instance.lifecycleState === 'InService' && (instance.inServiceSince ?? 0) + warmupMs <= now,
    ).length;
    // docs/aws-facts/scaling-policies.md#how-it-scales: capacity in proportion to the metric.
    const proportional = Math.ceil((warmed * value) / policy.targetValue);
    if (policy.high.state === 'ALARM') {
      // Instances still warming up count as capacity already added: scale out only past them.
      const desired = Math.min(group.max, proportional);
      if (desired > group.desired) {
        this.act(policy, group, desired, now);
      }
      return;
    }
    const warming = [...group.instances.values()].some(
      (instance) =>
        instance.lifecycleState === 'Pending' ||
        (instance.lifecycleState === 'InService' && (instance.inServiceSince ?? 0) + warmupMs > now),
    );
    if (policy.low.state !== 'ALARM' || policy.disableScaleIn || warming) return;
    const desired = Math.max(group.min, proportional);
    if (desired < group.desired) {
      this.act(policy, group, desired, now);
    }
  }

  private act(policy: Policy, group: AutoScalingGroupState, to: number, now: number): void {
    const from = group.desired;
    const alarm = to > from ? policy.high : policy.low;
    this.deps.setDesired(group, to);
    this.actions.push({
      at: now,
      groupName: group.name,
      policyName: policy.name,
      from,
      to,
      // The cause DescribeScalingActivities shows for a policy's change (as the user guide's examples word it).
      cause: `monitor alarm ${alarm.name} in state ALARM triggered policy ${policy.name} changing the desired capacity from ${from} to ${to}`,
    });
  }

  /** The group's CPU, averaged over its InService instances past their warmup (docs: default instance warmup). */
  private recordCpu(groupName: string, now: number): void {
    const group = this.deps.groups.get(groupName);
    if (!group) return;
    const warmupMs =
      Math.min(
        ...[...this.policies.values()]
          .filter((policy) => policy.groupName === groupName)
          .map((policy) => policy.warmupSeconds ?? DEFAULT_WARMUP_SECONDS),
      ) * 1000;
    let sum = 0;
    let count = 0;
    for (const instance of group.instances.values()) {
      if (instance.lifecycleState !== 'InService' || (instance.inServiceSince ?? 0) + warmupMs > now)
        continue;
      sum += this.deps.cpuUtilization(instance, now);
      count++;
    }
    if (count > 0) this.deps.metrics.record(cpuSeries(groupName), 'CPUUtilization', sum / count, now);
  }

  private targetGroupOf(
    group: AutoScalingGroupState,
    metric: string,
    label: string | undefined,
  ): string | undefined {
    if (metric !== 'ALBRequestCountPerTarget') {
      // UNCONFIRMED text; the API reference: a resource label only with ALBRequestCountPerTarget.
      if (label !== undefined) throw validation('ResourceLabel is only valid for ALBRequestCountPerTarget.');
      return undefined;
    }
    if (!label) throw validation('ResourceLabel is required for ALBRequestCountPerTarget.');
    const arn = [...group.trafficSources.keys()].find((candidate) => this.resourceLabel(candidate) === label);
    // docs/aws-facts/scaling-policies.md#putscalingpolicy: the target group must be attached to the group.
    if (!arn) throw validation(`The target group in resource label ${label} is not attached to the group.`);
    return arn;
  }

  /** `app/<load-balancer>/<id>/targetgroup/<target-group>/<id>`, from the ARNs' final parts. */
  private resourceLabel(targetGroupArn: string): string {
    const loadBalancer = this.deps.environment.loadBalancer.arn.split(':loadbalancer/')[1] ?? '';
    return `${loadBalancer}/${targetGroupArn.split(':').pop() ?? ''}`;
  }

  private group(name: string | undefined): AutoScalingGroupState {
    const group = name === undefined ? undefined : this.deps.groups.get(name);
    if (!group) throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
    return group;
  }
}

function policyKey(groupName: string, name: string): string {
  return `${groupName}\u0000${name}`;
}

function alarmsOf(policy: Policy): { AlarmName: string; AlarmARN: string }[] {
  return [policy.high, policy.low].map((alarm) => ({ AlarmName: alarm.name, AlarmARN: alarm.arn }));
}

function describe(policy: Policy): ScalingPolicy {
  return {
    AutoScalingGroupName: policy.groupName,
    PolicyName: policy.name,
    PolicyARN: policy.arn,
    PolicyType: 'TargetTrackingScaling',
    Alarms: alarmsOf(policy),
    EstimatedInstanceWarmup: policy.warmupSeconds,
    Enabled: policy.enabled,
    TargetTrackingConfiguration: {
      PredefinedMetricSpecification: {
        PredefinedMetricType: policy.metric,
        ResourceLabel: policy.resourceLabel,
      },
      TargetValue: policy.targetValue,
      DisableScaleIn: policy.disableScaleIn,
    },
  };
}
