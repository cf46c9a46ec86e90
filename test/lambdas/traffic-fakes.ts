/**
 * A small, rule-keeping fake of the parts of Auto Scaling, ELBv2 and CloudWatch the traffic-side handlers
 * use, behind aws-sdk-client-mock. It applies the AWS rules from AWS-FACTS.md that those handlers must
 * respect (≤ 20 instances per Standby call, ≤ 10 traffic sources per call, EnterStandby's MinSize rule,
 * ExitStandby blocked by a suspended Launch, paginated DescribeTrafficSources/DescribeAlarms), so a test
 * can run a handler, let the fake account move on (`settle`), run it again, and check what changed.
 */
import {
  AttachTrafficSourcesCommand,
  type AttachTrafficSourcesCommandInput,
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  type DescribeAutoScalingGroupsCommandInput,
  DescribeTrafficSourcesCommand,
  type DescribeTrafficSourcesCommandInput,
  DetachTrafficSourcesCommand,
  type DetachTrafficSourcesCommandInput,
  EnterStandbyCommand,
  type EnterStandbyCommandInput,
  ExitStandbyCommand,
  type ExitStandbyCommandInput,
  ResumeProcessesCommand,
  type ResumeProcessesCommandInput,
  SuspendProcessesCommand,
  type SuspendProcessesCommandInput,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeTargetHealthCommand,
  type DescribeTargetHealthCommandInput,
  ElasticLoadBalancingV2Client,
  TargetGroupNotFoundException,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { logger } from '../../lambdas/shared/logger';

// The handlers log every step; the tests assert on calls and results, not on log lines.
logger.setLogLevel('SILENT');

export const asgMock = mockClient(AutoScalingClient);
export const elbMock = mockClient(ElasticLoadBalancingV2Client);
export const cwMock = mockClient(CloudWatchClient);

export const MAIN_TG =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-main/0123456789abcdef';
export const SYNTHETIC_TG =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-synthetic/fedcba9876543210';
/** A target group ARN per index, for tests that need many. */
export function tgArn(index: number): string {
  return `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-${index}/${index.toString(16).padStart(16, '0')}`;
}

/** Instance ids `i-<prefix>-0000 …`, in a stable order. */
export function ids(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `i-${prefix}-${String(from + i).padStart(4, '0')}`);
}

export function awsError(name: string, message: string, httpStatusCode = 400): AutoScalingServiceException {
  return new AutoScalingServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

function validationError(message: string): AutoScalingServiceException {
  return awsError('ValidationError', message);
}

export interface FakeGroup {
  name: string;
  min: number;
  desired: number;
  max: number;
  instances: { id: string; state: string }[];
  suspended: Set<string>;
  tags: Record<string, string>;
  trafficSources: { arn: string; state: string }[];
}

export interface FakeGroupInit {
  name: string;
  min?: number;
  desired?: number;
  max?: number;
  /** Instances by lifecycle state, e.g. `{ InService: ids('blue', 3) }`. */
  instances?: Record<string, string[]>;
  suspended?: string[];
  tags?: Record<string, string>;
  trafficSources?: Record<string, string>;
}

export interface FakeAlarm {
  name: string;
  type?: 'MetricAlarm' | 'CompositeAlarm';
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  reason?: string;
}

export class FakeAccount {
  readonly groups = new Map<string, FakeGroup>();
  /** Target health by target group ARN, then instance id. */
  readonly health = new Map<string, Map<string, TargetHealthStateEnum>>();
  alarms: FakeAlarm[] = [];
  /** Page sizes the fake answers with (below AWS's maximum, to exercise NextToken handling). */
  trafficSourcePageSize = 50;
  alarmPageSize = 100;

  addGroup(init: FakeGroupInit): FakeGroup {
    const instances = Object.entries(init.instances ?? {}).flatMap(([state, list]) =>
      list.map((id) => ({ id, state })),
    );
    const counted = instances.filter((i) => i.state === 'InService' || i.state === 'Pending').length;
    const group: FakeGroup = {
      name: init.name,
      min: init.min ?? 0,
      desired: init.desired ?? counted,
      max: init.max ?? Math.max(10, counted),
      instances,
      suspended: new Set(init.suspended ?? []),
      tags: init.tags ?? {},
      trafficSources: Object.entries(init.trafficSources ?? {}).map(([arn, state]) => ({ arn, state })),
    };
    this.groups.set(group.name, group);
    return group;
  }

  group(name: string): FakeGroup {
    const group = this.groups.get(name);
    if (!group) throw new Error(`test bug: no fake group ${name}`);
    return group;
  }

  setHealth(targetGroupArn: string, instanceIds: readonly string[], state: TargetHealthStateEnum): void {
    const map = this.health.get(targetGroupArn) ?? new Map<string, TargetHealthStateEnum>();
    for (const id of instanceIds) map.set(id, state);
    this.health.set(targetGroupArn, map);
  }

  countIn(groupName: string, state: string): number {
    return this.group(groupName).instances.filter((i) => i.state === state).length;
  }

  /** Lets AWS's asynchronous transitions finish: draining ends, launches complete, detaches complete. */
  settle(): void {
    const next: Record<string, string> = {
      EnteringStandby: 'Standby',
      Pending: 'InService',
      Adding: 'Added',
      Removing: 'Removed',
    };
    for (const group of this.groups.values()) {
      for (const instance of group.instances) instance.state = next[instance.state] ?? instance.state;
      for (const source of group.trafficSources) source.state = next[source.state] ?? source.state;
    }
  }

  /** Routes the mocks to this fake. Call after `reset()` of the mocks, in beforeEach. */
  install(): void {
    asgMock
      .on(DescribeAutoScalingGroupsCommand)
      .callsFake(async (input: DescribeAutoScalingGroupsCommandInput) => ({
        AutoScalingGroups: (input.AutoScalingGroupNames ?? [])
          .filter((name) => this.groups.has(name))
          .map((name) => this.describe(this.group(name))),
      }));
    asgMock.on(DescribeTrafficSourcesCommand).callsFake(async (input: DescribeTrafficSourcesCommandInput) => {
      const group = this.existing(input.AutoScalingGroupName);
      const start = Number(input.NextToken ?? '0');
      const end = start + Math.min(this.trafficSourcePageSize, input.MaxRecords ?? 50);
      return {
        TrafficSources: group.trafficSources
          .slice(start, end)
          .map((s) => ({ Identifier: s.arn, Type: 'elbv2', State: s.state })),
        NextToken: end < group.trafficSources.length ? String(end) : undefined,
      };
    });
    asgMock.on(AttachTrafficSourcesCommand).callsFake(async (input: AttachTrafficSourcesCommandInput) => {
      const group = this.existing(input.AutoScalingGroupName);
      const sources = input.TrafficSources ?? [];
      if (sources.length > 10) {
        throw validationError(
          'Trying to update too many Load Balancers/Target Groups at once. The limit is 10',
        );
      }
      for (const { Identifier } of sources) {
        const found = group.trafficSources.find((s) => s.arn === Identifier);
        if (found)
          found.state = found.state === 'Removing' || found.state === 'Removed' ? 'Adding' : found.state;
        else group.trafficSources.push({ arn: Identifier ?? '', state: 'Adding' });
      }
      return {};
    });
    asgMock.on(DetachTrafficSourcesCommand).callsFake(async (input: DetachTrafficSourcesCommandInput) => {
      const group = this.existing(input.AutoScalingGroupName);
      const sources = input.TrafficSources ?? [];
      if (sources.length > 10) {
        throw validationError(
          'Trying to update too many Load Balancers/Target Groups at once. The limit is 10',
        );
      }
      for (const { Identifier } of sources) {
        const found = group.trafficSources.find((s) => s.arn === Identifier);
        // UNCONFIRMED what AWS answers for a source that is not attached; strict here so a handler that
        // detaches blindly is caught.
        if (!found)
          throw validationError(
            `Trying to remove Target Groups that are not part of the group: ${Identifier}`,
          );
        found.state = 'Removing';
      }
      return {};
    });
    asgMock.on(EnterStandbyCommand).callsFake(async (input: EnterStandbyCommandInput) => {
      const group = this.existing(input.AutoScalingGroupName);
      const idsIn = input.InstanceIds ?? [];
      this.assertAtMost20(idsIn);
      for (const id of idsIn) {
        if (this.instance(group, id).state !== 'InService') {
          throw validationError(`The instance ${id} is not in InService.`);
        }
      }
      if (input.ShouldDecrementDesiredCapacity && group.desired - idsIn.length < group.min) {
        throw validationError(
          `AutoScalingGroup ${group.name} has min-size=${group.min}, max-size=${group.max}, and desired-size=${group.desired}. To place into standby ${idsIn.length} instances, please update the AutoScalingGroup sizes appropriately.`,
        );
      }
      for (const id of idsIn) this.instance(group, id).state = 'EnteringStandby';
      if (input.ShouldDecrementDesiredCapacity) group.desired -= idsIn.length;
      return {};
    });
    asgMock.on(ExitStandbyCommand).callsFake(async (input: ExitStandbyCommandInput) => {
      const group = this.existing(input.AutoScalingGroupName);
      const idsIn = input.InstanceIds ?? [];
      this.assertAtMost20(idsIn);
      if (group.suspended.has('Launch')) throw validationError('The Launch process is suspended.');
      for (const id of idsIn) {
        if (this.instance(group, id).state !== 'Standby') {
          throw validationError(`The instance ${id} is not in Standby.`);
        }
      }
      if (group.desired + idsIn.length > group.max)
        throw validationError('Desired capacity would exceed max size.');
      for (const id of idsIn) this.instance(group, id).state = 'Pending';
      group.desired += idsIn.length;
      return {};
    });
    asgMock.on(UpdateAutoScalingGroupCommand).callsFake(async (input: UpdateAutoScalingGroupCommandInput) => {
      const group = this.existing(input.AutoScalingGroupName);
      const min = input.MinSize ?? group.min;
      const max = input.MaxSize ?? group.max;
      // Omitted desired follows the sizes (AWS-FACTS: raised min lifts it, lowered max caps it).
      const desired = input.DesiredCapacity ?? Math.min(Math.max(group.desired, min), max);
      if (desired < min || desired > max) {
        throw validationError(
          `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
        );
      }
      Object.assign(group, { min, max, desired });
      return {};
    });
    asgMock.on(SuspendProcessesCommand).callsFake(async (input: SuspendProcessesCommandInput) => {
      const group = this.existing(input.AutoScalingGroupName);
      for (const process of input.ScalingProcesses ?? []) group.suspended.add(process);
      return {};
    });
    asgMock.on(ResumeProcessesCommand).callsFake(async (input: ResumeProcessesCommandInput) => {
      const group = this.existing(input.AutoScalingGroupName);
      for (const process of input.ScalingProcesses ?? []) group.suspended.delete(process);
      return {};
    });

    elbMock.on(DescribeTargetHealthCommand).callsFake(async (input: DescribeTargetHealthCommandInput) => {
      const map = this.health.get(input.TargetGroupArn ?? '');
      if (!map) {
        throw new TargetGroupNotFoundException({
          message: `Target groups '${input.TargetGroupArn}' not found`,
          $metadata: { httpStatusCode: 400 },
        });
      }
      return {
        TargetHealthDescriptions: [...map.entries()].map(([id, state]) => ({
          Target: { Id: id, Port: 80 },
          TargetHealth: { State: state },
        })),
      };
    });

    cwMock.on(DescribeAlarmsCommand).callsFake(async (input: DescribeAlarmsCommandInput) => {
      const names = input.AlarmNames ?? [];
      if (names.length > 100) {
        throw new CloudWatchServiceException({
          name: 'ValidationError',
          message: 'The collection AlarmNames must not have a size greater than 100.',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      // AWS-FACTS: without AlarmTypes only metric alarms come back.
      const types = input.AlarmTypes ?? ['MetricAlarm'];
      const matching = this.alarms.filter(
        (a) => names.includes(a.name) && types.includes(a.type ?? 'MetricAlarm'),
      );
      const start = Number(input.NextToken ?? '0');
      const end = start + Math.min(this.alarmPageSize, input.MaxRecords ?? 50);
      const page = matching.slice(start, end);
      const shape = (a: FakeAlarm) => ({ AlarmName: a.name, StateValue: a.state, StateReason: a.reason });
      return {
        MetricAlarms: page.filter((a) => (a.type ?? 'MetricAlarm') === 'MetricAlarm').map(shape),
        CompositeAlarms: page.filter((a) => a.type === 'CompositeAlarm').map(shape),
        NextToken: end < matching.length ? String(end) : undefined,
      };
    });
  }

  private describe(group: FakeGroup): AutoScalingGroup {
    return {
      AutoScalingGroupName: group.name,
      MinSize: group.min,
      MaxSize: group.max,
      DesiredCapacity: group.desired,
      DefaultCooldown: 300,
      AvailabilityZones: ['us-east-1a'],
      HealthCheckType: 'ELB',
      CreatedTime: new Date(0),
      Instances: group.instances.map((i) => ({
        InstanceId: i.id,
        LifecycleState: i.state as NonNullable<AutoScalingGroup['Instances']>[number]['LifecycleState'],
        AvailabilityZone: 'us-east-1a',
        HealthStatus: 'Healthy',
        ProtectedFromScaleIn: false,
      })),
      SuspendedProcesses: [...group.suspended].map((name) => ({
        ProcessName: name,
        SuspensionReason: 'User',
      })),
      Tags: Object.entries(group.tags).map(([Key, Value]) => ({
        Key,
        Value,
        ResourceId: group.name,
        ResourceType: 'auto-scaling-group',
        PropagateAtLaunch: false,
      })),
    };
  }

  private existing(name: string | undefined): FakeGroup {
    const group = this.groups.get(name ?? '');
    if (!group) throw validationError(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
    return group;
  }

  private instance(group: FakeGroup, id: string): { id: string; state: string } {
    const found = group.instances.find((i) => i.id === id);
    if (!found) throw validationError(`The instance ${id} is not part of Auto Scaling group ${group.name}.`);
    return found;
  }

  private assertAtMost20(list: readonly string[]): void {
    if (list.length > 20) {
      throw validationError(
        `1 validation error detected: Value '[…]' at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 20`,
      );
    }
  }
}

/** Calls that change the account; a repeated (idempotent) run must make none (I6). */
const MUTATING = [
  AttachTrafficSourcesCommand,
  DetachTrafficSourcesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  UpdateAutoScalingGroupCommand,
  SuspendProcessesCommand,
  ResumeProcessesCommand,
] as const;

export function mutatingCallCount(): number {
  return asgMock.calls().filter((call) => MUTATING.some((command) => call.args[0] instanceof command)).length;
}

/** The mutating commands the handler sent, by command name, in the order it sent them. */
export function mutationOrder(): string[] {
  return asgMock
    .calls()
    .map((call) => (call.args[0] as object).constructor.name)
    .filter((name) => !name.startsWith('Describe'));
}

/** The instance ids of each EnterStandby or ExitStandby call, one batch a call. */
export function instanceBatches(command: typeof EnterStandbyCommand | typeof ExitStandbyCommand): string[][] {
  return sentInputs<{ InstanceIds?: string[] }>(command).map((input) => input.InstanceIds ?? []);
}

/** The target group ARNs sent in every AttachTrafficSources or DetachTrafficSources call. */
export function trafficSourceArns(
  command: typeof AttachTrafficSourcesCommand | typeof DetachTrafficSourcesCommand,
): string[] {
  return sentInputs<{ TrafficSources?: { Identifier?: string }[] }>(command)
    .flatMap((input) => input.TrafficSources ?? [])
    .map((source) => source.Identifier ?? '');
}

/** The inputs of every call of `command`, in order. */
function sentInputs<Input>(command: abstract new (...args: never[]) => object): Input[] {
  return asgMock
    .calls()
    .map((call) => call.args[0] as object)
    .filter((sent) => sent instanceof command)
    .map((sent) => (sent as { input: Input }).input);
}

/** Resets every mock (calls and behaviours) and routes them to a fresh fake account. */
export function freshAccount(): FakeAccount {
  asgMock.reset();
  elbMock.reset();
  cwMock.reset();
  const account = new FakeAccount();
  account.install();
  return account;
}

/** Runs a handler and returns the error it threw (failing the test when it did not throw). */
export async function thrown(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the handler to throw');
}
