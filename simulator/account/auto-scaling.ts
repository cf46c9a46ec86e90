// Over 250 lines: one short route per Auto Scaling operation the steps and the hints call; the rules live in the fleet model.
/**
 * The Auto Scaling API: each route checks the request as the API reference documents it (required
 * parameters, limits, error texts) and calls the one Fleet method (auto-scaling-groups.ts) that holds the
 * rule of the change.
 */
import {
  AttachLoadBalancerTargetGroupsCommand,
  AttachTrafficSourcesCommand,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeLoadBalancerTargetGroupsCommand,
  DescribeScalingActivitiesCommand,
  DescribeTrafficSourcesCommand,
  DetachLoadBalancerTargetGroupsCommand,
  DetachTrafficSourcesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  ResumeProcessesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  type Tag,
  type TrafficSourceIdentifier,
} from '@aws-sdk/client-auto-scaling';
import { featureRoutes } from './auto-scaling-feature-routes';
import type { Fleet } from './auto-scaling-groups';
import { updatedPolicy } from './auto-scaling-mixed-instances';
import {
  SCALING_PROCESSES,
  tagGroups,
  untagGroups,
  type AutoScalingGroupState,
  type ScalingProcess,
  type TrafficSourceAttachment,
} from './auto-scaling-group';
import {
  describeActivity,
  describeGroup,
  describeInstance,
  matchesGroupFilter,
} from './auto-scaling-describe';
import type { Ec2 } from './ec2';
import { constraintMessage, serviceError, tooManyMessage } from './errors';
import { paginate } from './pagination';
import { route, type Route } from './router';

const validation = (message: string): Error => serviceError('autoscaling', 'ValidationError', message);
const invalidToken = (): Error =>
  serviceError('autoscaling', 'InvalidNextToken', 'The token provided is not valid.');

/**
 * docs/aws-facts/traffic-sources.md#attach-and-detach: at most 10 traffic sources / target groups per attach
 * or detach call.
 */
const MAX_TRAFFIC_SOURCES_PER_CALL = 10;
/** API reference (EnterStandby, ExitStandby): "You can specify up to 20 instances." */
const MAX_STANDBY_INSTANCES = 20;

interface AutoScalingDependencies {
  fleet: Fleet;
  ec2: Ec2;
  now: () => number;
  targetGroupExists: (arn: string) => boolean;
}

export class AutoScaling {
  constructor(private readonly deps: AutoScalingDependencies) {}

  routes(): Route[] {
    return [
      route(DescribeAutoScalingGroupsCommand, (input) => {
        const names = input.AutoScalingGroupNames ?? [];
        const maxRecords = this.maxRecords(input.MaxRecords, 50, 100);
        // docs/aws-facts/auto-scaling-groups.md#describeautoscalinggroups: up to 50 names by default, more when
        // MaxRecords (at most 100) is raised.
        const maxNames = Math.max(50, maxRecords);
        if (names.length > maxNames) {
          throw validation(tooManyMessage(names, 'autoScalingGroupNames', maxNames));
        }
        const groups = [...this.deps.fleet.groups.values()]
          .filter((group) => names.length === 0 || names.includes(group.name))
          .filter((group) => (input.Filters ?? []).every((filter) => matchesGroupFilter(group, filter)))
          .sort((a, b) => a.name.localeCompare(b.name));
        const page = paginate(groups, input.NextToken, maxRecords, 'DescribeAutoScalingGroups', invalidToken);
        return {
          AutoScalingGroups: page.items.map((group) => {
            const described = describeGroup(group);
            // API reference: IncludeInstances (default true) controls whether instance details are returned.
            return input.IncludeInstances === false ? { ...described, Instances: undefined } : described;
          }),
          NextToken: page.nextToken,
        };
      }),

      route(DescribeAutoScalingInstancesCommand, (input) => {
        const ids = input.InstanceIds ?? [];
        if (ids.length > 50) {
          throw validation(tooManyMessage(ids, 'instanceIds', 50));
        }
        const maxRecords = this.maxRecords(input.MaxRecords, 50, 50);
        // AutoScalingInstanceDetails: warm pool instances are listed too (their Warmed:* states).
        const instances = [...this.deps.fleet.groups.values()]
          .flatMap((group) => [...group.instances.values(), ...(group.warmPool?.instances.values() ?? [])])
          .filter((instance) => ids.length === 0 || ids.includes(instance.id));
        const page = paginate(
          instances,
          input.NextToken,
          maxRecords,
          'DescribeAutoScalingInstances',
          invalidToken,
        );
        return {
          AutoScalingInstances: page.items.map((instance) => ({
            ...describeInstance(instance),
            AutoScalingGroupName: instance.groupName,
            LifecycleState: instance.lifecycleState,
          })),
          NextToken: page.nextToken,
        };
      }),

      route(DescribeScalingActivitiesCommand, (input) => {
        const maxRecords = this.maxRecords(input.MaxRecords, 100, 100);
        const groups =
          input.AutoScalingGroupName !== undefined
            ? [this.group(input.AutoScalingGroupName)]
            : [...this.deps.fleet.groups.values()];
        const ids = input.ActivityIds ?? [];
        // API reference: activities are described newest first.
        const activities = groups
          .flatMap((group) => [...group.activities].reverse())
          .filter((activity) => ids.length === 0 || ids.includes(activity.id))
          .sort((a, b) => b.startTime - a.startTime);
        const page = paginate(
          activities,
          input.NextToken,
          maxRecords,
          'DescribeScalingActivities',
          invalidToken,
        );
        return { Activities: page.items.map(describeActivity), NextToken: page.nextToken };
      }),

      route(UpdateAutoScalingGroupCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        if (input.LaunchTemplate && input.MixedInstancesPolicy) {
          // UpdateAutoScalingGroup: a group launches from one of them. Text UNCONFIRMED.
          throw validation(
            'Valid requests must contain either LaunchTemplate or MixedInstancesPolicy, not both.',
          );
        }
        const launchTemplate = input.LaunchTemplate ? this.templateSpec(input.LaunchTemplate) : undefined;
        const mixedInstancesPolicy = input.MixedInstancesPolicy
          ? updatedPolicy(group.mixedInstancesPolicy, input.MixedInstancesPolicy, (spec) =>
              this.templateSpec(spec),
            )
          : undefined;
        if ((input.MinSize ?? 0) < 0 || (input.MaxSize ?? 0) < 0)
          throw validation('MinSize and MaxSize must be at least 0.');
        // docs/aws-facts/auto-scaling-groups.md#health-checks: a comma-separated list of EC2, ELB, EBS,
        // VPC_LATTICE (text UNCONFIRMED).
        if (input.HealthCheckType !== undefined) checkHealthCheckType(input.HealthCheckType);
        if (input.HealthCheckGracePeriod !== undefined && input.HealthCheckGracePeriod < 0) {
          throw validation('HealthCheckGracePeriod must be at least 0.');
        }
        this.deps.fleet.update(group, {
          min: input.MinSize,
          max: input.MaxSize,
          desired: input.DesiredCapacity,
          launchTemplate,
          healthCheckType: input.HealthCheckType,
          healthCheckGracePeriodSeconds: input.HealthCheckGracePeriod,
          mixedInstancesPolicy,
          newInstancesProtectedFromScaleIn: input.NewInstancesProtectedFromScaleIn,
        });
        return {};
      }),

      route(SetDesiredCapacityCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const desired = input.DesiredCapacity;
        if (desired === undefined)
          throw validation(constraintMessage('null', 'desiredCapacity', 'Member must not be null'));
        this.deps.fleet.setDesiredCapacity(group, desired);
        return {};
      }),

      route(EnterStandbyCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const ids = this.standbyIds(input.InstanceIds);
        if (input.ShouldDecrementDesiredCapacity === undefined) {
          throw validation(
            constraintMessage('null', 'shouldDecrementDesiredCapacity', 'Member must not be null'),
          );
        }
        const activities = this.deps.fleet.enterStandby(
          group,
          ids,
          input.ShouldDecrementDesiredCapacity,
          this.deps.now(),
        );
        return { Activities: activities.map(describeActivity) };
      }),

      route(ExitStandbyCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const ids = this.standbyIds(input.InstanceIds);
        const activities = this.deps.fleet.exitStandby(group, ids, this.deps.now());
        return { Activities: activities.map(describeActivity) };
      }),

      route(TerminateInstanceInAutoScalingGroupCommand, (input) => {
        if (!input.InstanceId)
          throw validation(constraintMessage('null', 'instanceId', 'Member must not be null'));
        if (input.ShouldDecrementDesiredCapacity === undefined) {
          throw validation(
            constraintMessage('null', 'shouldDecrementDesiredCapacity', 'Member must not be null'),
          );
        }
        const activity = this.deps.fleet.terminate(
          input.InstanceId,
          input.ShouldDecrementDesiredCapacity,
          this.deps.now(),
        );
        return { Activity: describeActivity(activity) };
      }),

      route(AttachTrafficSourcesCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const identifiers = this.trafficSources(input.TrafficSources);
        this.deps.fleet.attachTrafficSources(group, identifiers, this.deps.now());
        return {};
      }),
      route(DetachTrafficSourcesCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const identifiers = this.trafficSources(input.TrafficSources);
        this.deps.fleet.detachTrafficSources(group, identifiers, this.deps.now());
        return {};
      }),
      route(AttachLoadBalancerTargetGroupsCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const arns = this.trafficSources((input.TargetGroupARNs ?? []).map((Identifier) => ({ Identifier })));
        this.deps.fleet.attachTrafficSources(group, arns, this.deps.now(), 'LoadBalancerTargetGroups');
        return {};
      }),
      route(DetachLoadBalancerTargetGroupsCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const arns = this.trafficSources((input.TargetGroupARNs ?? []).map((Identifier) => ({ Identifier })));
        this.deps.fleet.detachTrafficSources(group, arns, this.deps.now(), 'LoadBalancerTargetGroups');
        return {};
      }),

      route(DescribeTrafficSourcesCommand, (input) => {
        // docs/aws-facts/traffic-sources.md#describetrafficsources: MaxRecords ≤ 50; every traffic source of
        // the group, whichever API attached it, or those of the type given.
        const type = input.TrafficSourceType;
        if (type !== undefined && !['elb', 'elbv2', 'vpc-lattice'].includes(type))
          throw validation(`Invalid traffic source type ${type}.`);
        const page = this.trafficSourcePage('DescribeTrafficSources', input, 50, (source) =>
          type === undefined ? true : source.type === type,
        );
        return {
          TrafficSources: page.items.map((source) => ({
            TrafficSource: source.identifier,
            Identifier: source.identifier,
            Type: source.type,
            State: source.state,
          })),
          NextToken: page.nextToken,
        };
      }),
      route(DescribeLoadBalancerTargetGroupsCommand, (input) => {
        // docs/aws-facts/traffic-sources.md#two-apis-one-group: only the target groups the older API (or the
        // group's creation) attached, and no longer once all their instances are deregistered (Removed).
        const page = this.trafficSourcePage(
          'DescribeLoadBalancerTargetGroups',
          input,
          100,
          (source) => source.attachedWith !== 'TrafficSources' && source.state !== 'Removed',
        );
        return {
          LoadBalancerTargetGroups: page.items.map((source) => ({
            LoadBalancerTargetGroupARN: source.identifier,
            State: source.state,
          })),
          NextToken: page.nextToken,
        };
      }),

      route(SuspendProcessesCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        group.suspend(this.processes(input.ScalingProcesses), this.deps.now());
        return {};
      }),
      route(ResumeProcessesCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        group.resume(this.processes(input.ScalingProcesses));
        return {};
      }),

      route(CreateOrUpdateTagsCommand, (input) => {
        const byGroup = new Map(
          [...this.tagTargets(input.Tags ?? [])].map(([group, tags]) => [
            group,
            tags.map((tag) => ({
              key: tag.Key as string,
              value: tag.Value ?? '',
              propagateAtLaunch: tag.PropagateAtLaunch ?? false,
            })),
          ]),
        );
        tagGroups(byGroup);
        return {};
      }),
      route(DeleteTagsCommand, (input) => {
        const byGroup = new Map(
          [...this.tagTargets(input.Tags ?? [])].map(([group, tags]) => [
            group,
            tags.map((tag) => tag.Key as string),
          ]),
        );
        untagGroups(byGroup);
        return {};
      }),

      ...featureRoutes({
        features: this.deps.fleet.features,
        groups: this.deps.fleet.groups,
        group: (name) => this.group(name),
        now: this.deps.now,
        maxRecords: (value, fallback, limit) => this.maxRecords(value, fallback, limit),
      }),
    ];
  }

  /** A launch template specification as UpdateAutoScalingGroup takes it, resolved against EC2. */
  private templateSpec(spec: { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string }): {
    id: string;
    name: string;
    version: string;
  } {
    const { LaunchTemplateId: id, LaunchTemplateName: name, Version: version = '$Default' } = spec;
    if ((id === undefined) === (name === undefined)) {
      // UNCONFIRMED: exact text.
      throw validation('Valid requests must contain either LaunchTemplateId or LaunchTemplateName.');
    }
    if (!/^(\d+|\$Latest|\$Default)$/.test(version)) {
      throw validation(`The specified launch template version ${version} is not valid.`);
    }
    try {
      const template =
        id !== undefined ? this.deps.ec2.templateById(id) : this.deps.ec2.templateByName(name as string);
      this.deps.ec2.version(template, version);
      return { id: template.id, name: template.name, version };
    } catch (error) {
      // UNCONFIRMED: Auto Scaling wraps EC2's answer in a ValidationError.
      throw validation(
        `You must use a valid fully-formed launch template. ${error instanceof Error ? error.message : ''}`.trim(),
      );
    }
  }

  private group(name: string | undefined): AutoScalingGroupState {
    const group = name === undefined ? undefined : this.deps.fleet.groups.get(name);
    // UNCONFIRMED: exact text for an unknown group.
    if (!group) throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
    return group;
  }

  /** One page of the group's traffic sources that `listed` keeps, `limit` records at most and by default. */
  private trafficSourcePage(
    operation: string,
    input: { AutoScalingGroupName?: string; MaxRecords?: number; NextToken?: string },
    limit: number,
    listed: (source: TrafficSourceAttachment) => boolean,
  ) {
    const group = this.group(input.AutoScalingGroupName);
    const sources = [...group.trafficSources.values()].filter(listed);
    const maxRecords = this.maxRecords(input.MaxRecords, limit, limit);
    return paginate(sources, input.NextToken, maxRecords, `${operation}:${group.name}`, invalidToken);
  }

  private maxRecords(value: number | undefined, fallback: number, limit: number): number {
    if (value === undefined) return fallback;
    if (value < 1 || value > limit) {
      throw validation(
        constraintMessage(
          String(value),
          'maxRecords',
          `Member must have value less than or equal to ${limit}`,
        ),
      );
    }
    return value;
  }

  private standbyIds(ids: string[] | undefined): string[] {
    const unique = [...new Set(ids ?? [])];
    if (unique.length > MAX_STANDBY_INSTANCES) {
      // UNCONFIRMED: the limit is documented, the message follows AWS's generic constraint wording.
      throw validation(tooManyMessage(unique, 'instanceIds', MAX_STANDBY_INSTANCES));
    }
    return unique;
  }

  private trafficSources(sources: TrafficSourceIdentifier[] | undefined): string[] {
    const list = sources ?? [];
    // docs/aws-facts/traffic-sources.md#attach-and-detach: at most 10 per call (text as observed).
    if (list.length > MAX_TRAFFIC_SOURCES_PER_CALL) {
      throw validation(
        `Trying to update too many Load Balancers/Target Groups at once. The limit is ${MAX_TRAFFIC_SOURCES_PER_CALL}`,
      );
    }
    for (const source of list) {
      if (source.Type !== undefined && source.Type !== 'elbv2') {
        throw validation(
          `Setting ${source.Type} as traffic sources is not supported by the simulated account (only elbv2).`,
        );
      }
    }
    const identifiers = list.map((source) => source.Identifier ?? '');
    if (identifiers.some((identifier) => !this.deps.targetGroupExists(identifier))) {
      throw validation('Provided Target Groups may not be valid. Please ensure they exist and try again.');
    }
    return [...new Set(identifiers)];
  }

  private processes(names: string[] | undefined): ScalingProcess[] {
    if (names === undefined || names.length === 0) return [...SCALING_PROCESSES];
    return names.map((name) => {
      const process = SCALING_PROCESSES.find((candidate) => candidate === name);
      // UNCONFIRMED: exact text for an unknown process name.
      if (!process) throw validation(`Invalid scaling process name: ${name}.`);
      return process;
    });
  }

  private tagTargets(tags: Tag[]): Map<AutoScalingGroupState, Tag[]> {
    const byGroup = new Map<AutoScalingGroupState, Tag[]>();
    for (const tag of tags) {
      if (tag.ResourceType !== undefined && tag.ResourceType !== 'auto-scaling-group') {
        throw validation(`Invalid resource type ${tag.ResourceType}.`);
      }
      if (!tag.Key) throw validation(constraintMessage('null', 'tags.member.key', 'Member must not be null'));
      const group = this.group(tag.ResourceId);
      byGroup.set(group, [...(byGroup.get(group) ?? []), tag]);
    }
    return byGroup;
  }
}

/** UpdateAutoScalingGroup, HealthCheckType: "A comma-separated value string of one or more health check types." */
function checkHealthCheckType(value: string): void {
  const types = value.split(',').map((type) => type.trim());
  if (types.some((type) => !['EC2', 'ELB', 'EBS', 'VPC_LATTICE'].includes(type)))
    throw validation(`Invalid health check type ${value}.`);
}
