/**
 * The Auto Scaling API: request validation with AWS's limits and error texts, then the change itself
 * (carried out by the Fleet in auto-scaling-groups.ts).
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
import {
  SCALING_PROCESSES,
  type AutoScalingGroupState,
  type Fleet,
  type ScalingProcess,
} from './auto-scaling-groups';
import {
  describeActivity,
  describeGroup,
  describeInstance,
  matchesGroupFilter,
} from './auto-scaling-describe';
import type { Ec2 } from './ec2';
import { constraintMessage, serviceError } from './errors';
import type { Instance } from './instances';
import { paginate } from './pagination';
import { route, type Route } from './router';

const validation = (message: string): Error => serviceError('autoscaling', 'ValidationError', message);
const invalidToken = (): Error =>
  serviceError('autoscaling', 'InvalidNextToken', 'The token provided is not valid.');

/** AWS-FACTS: at most 10 traffic sources / target groups per attach or detach call. */
const MAX_TRAFFIC_SOURCES_PER_CALL = 10;
/** API reference (EnterStandby, ExitStandby): "You can specify up to 20 instances." */
const MAX_STANDBY_INSTANCES = 20;
/** Auto Scaling quota: 50 tags per group. */
const MAX_TAGS = 50;

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
        // AWS-FACTS: more than 50 names is a ValidationError; MaxRecords default 50, max 100.
        if (names.length > 50) {
          throw validation(
            constraintMessage(
              `[${names.join(', ')}]`,
              'autoScalingGroupNames',
              'Member must have length less than or equal to 50',
            ),
          );
        }
        const maxRecords = this.maxRecords(input.MaxRecords, 50, 100);
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
          throw validation(
            constraintMessage(
              `[${ids.join(', ')}]`,
              'instanceIds',
              'Member must have length less than or equal to 50',
            ),
          );
        }
        const maxRecords = this.maxRecords(input.MaxRecords, 50, 50);
        const instances = [...this.deps.fleet.groups.values()]
          .flatMap((group) => [...group.instances.values()])
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
        let launchTemplate = group.launchTemplate;
        if (input.LaunchTemplate) {
          const {
            LaunchTemplateId: id,
            LaunchTemplateName: name,
            Version: version = '$Default',
          } = input.LaunchTemplate;
          if ((id === undefined) === (name === undefined)) {
            // UNCONFIRMED: exact text.
            throw validation('Valid requests must contain either LaunchTemplateId or LaunchTemplateName.');
          }
          if (!/^(\d+|\$Latest|\$Default)$/.test(version)) {
            throw validation(`The specified launch template version ${version} is not valid.`);
          }
          try {
            const template =
              id !== undefined
                ? this.deps.ec2.templateById(id)
                : this.deps.ec2.templateByName(name as string);
            this.deps.ec2.version(template, version);
            launchTemplate = { id: template.id, name: template.name, version };
          } catch (error) {
            // UNCONFIRMED: Auto Scaling wraps EC2's answer in a ValidationError.
            throw validation(
              `You must use a valid fully-formed launch template. ${error instanceof Error ? error.message : ''}`.trim(),
            );
          }
        }
        const min = input.MinSize ?? group.min;
        const max = input.MaxSize ?? group.max;
        if (min < 0 || max < 0) throw validation('MinSize and MaxSize must be at least 0.');
        // UNCONFIRMED: exact text when MinSize > MaxSize.
        if (min > max)
          throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
        let desired: number;
        if (input.DesiredCapacity !== undefined) {
          desired = input.DesiredCapacity;
          // AWS-FACTS: out-of-range sizes.
          if (desired < min || desired > max) {
            throw validation(
              `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
            );
          }
        } else {
          // AWS-FACTS: raising MinSize above desired sets desired = MinSize; lowering MaxSize below it, = MaxSize.
          desired = Math.min(max, Math.max(min, group.desired));
        }
        if (input.HealthCheckType !== undefined) {
          const types = input.HealthCheckType.split(',').map((type) => type.trim());
          if (types.some((type) => !['EC2', 'ELB', 'EBS', 'VPC_LATTICE'].includes(type))) {
            throw validation(`Invalid health check type ${input.HealthCheckType}.`);
          }
        }
        if (input.HealthCheckGracePeriod !== undefined && input.HealthCheckGracePeriod < 0) {
          throw validation('HealthCheckGracePeriod must be at least 0.');
        }
        Object.assign(group, { min, max, desired, launchTemplate });
        // A launch template replaces the launch configuration the group used.
        if (input.LaunchTemplate) group.launchConfigurationName = undefined;
        if (input.HealthCheckType !== undefined) group.healthCheckType = input.HealthCheckType;
        if (input.HealthCheckGracePeriod !== undefined)
          group.healthCheckGracePeriodSeconds = input.HealthCheckGracePeriod;
        return {};
      }),

      route(SetDesiredCapacityCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const desired = input.DesiredCapacity;
        if (desired === undefined)
          throw validation(constraintMessage('null', 'desiredCapacity', 'Member must not be null'));
        // AWS-FACTS: SetDesiredCapacity out-of-range texts.
        if (desired > group.max) {
          throw validation(
            `New SetDesiredCapacity value ${desired} is above max value ${group.max} for the AutoScalingGroup.`,
          );
        }
        if (desired < group.min) {
          throw validation(
            `New SetDesiredCapacity value ${desired} is below min value ${group.min} for the AutoScalingGroup.`,
          );
        }
        group.desired = desired;
        return {};
      }),

      route(EnterStandbyCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const instances = this.standbyInstances(group, input.InstanceIds);
        if (input.ShouldDecrementDesiredCapacity === undefined) {
          throw validation(
            constraintMessage('null', 'shouldDecrementDesiredCapacity', 'Member must not be null'),
          );
        }
        for (const instance of instances) {
          // AWS-FACTS EnterStandby: only InService instances.
          if (instance.lifecycleState !== 'InService')
            throw validation(`The instance ${instance.id} is not in InService.`);
        }
        if (input.ShouldDecrementDesiredCapacity && group.desired - instances.length < group.min) {
          // AWS-FACTS EnterStandby decrement rule (exact text; plural form UNCONFIRMED).
          throw validation(
            `AutoScalingGroup ${group.name} has min-size=${group.min}, max-size=${group.max}, and desired-size=${group.desired}. ` +
              `To place into standby ${instances.length} instance${instances.length === 1 ? '' : 's'}, please update the AutoScalingGroup sizes appropriately.`,
          );
        }
        const now = this.deps.now();
        if (input.ShouldDecrementDesiredCapacity) group.desired -= instances.length;
        // With decrement=false the group launches replacements on its own (AWS-FACTS).
        return {
          Activities: instances.map((instance) =>
            describeActivity(this.deps.fleet.enterStandby(instance, now)),
          ),
        };
      }),

      route(ExitStandbyCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const instances = this.standbyInstances(group, input.InstanceIds);
        for (const instance of instances) {
          // UNCONFIRMED (AWS-FACTS): the error for an instance that is not in Standby.
          if (instance.lifecycleState !== 'Standby')
            throw validation(`The instance ${instance.id} is not in Standby.`);
        }
        if (instances.length > 0 && group.isSuspended('Launch')) {
          // AWS-FACTS: ExitStandby is blocked while Launch is suspended (error text UNCONFIRMED).
          throw validation(
            `AutoScalingGroup ${group.name} has the Launch process suspended. Resume it to move instances out of standby.`,
          );
        }
        if (group.desired + instances.length > group.max) {
          // UNCONFIRMED (AWS-FACTS): the error when leaving Standby would exceed MaxSize.
          throw validation(
            `AutoScalingGroup ${group.name} has min-size=${group.min}, max-size=${group.max}, and desired-size=${group.desired}. ` +
              `To move ${instances.length} instance${instances.length === 1 ? '' : 's'} out of standby, please update the AutoScalingGroup sizes appropriately.`,
          );
        }
        const now = this.deps.now();
        // AWS-FACTS ExitStandby: increments the desired capacity.
        group.desired += instances.length;
        return {
          Activities: instances.map((instance) =>
            describeActivity(this.deps.fleet.exitStandby(group, instance, now)),
          ),
        };
      }),

      route(TerminateInstanceInAutoScalingGroupCommand, (input) => {
        const instanceId = input.InstanceId ?? '';
        const group = this.deps.fleet.groupOf(instanceId);
        const instance = group?.instances.get(instanceId);
        if (!group || !instance) {
          throw validation(
            `Instance Id not found - No managed instance found for instance ID: ${instanceId}`,
          );
        }
        if (input.ShouldDecrementDesiredCapacity === undefined) {
          throw validation(
            constraintMessage('null', 'shouldDecrementDesiredCapacity', 'Member must not be null'),
          );
        }
        if (instance.lifecycleState === 'Terminating' || instance.lifecycleState === 'Terminated') {
          // UNCONFIRMED: terminating an instance that is already terminating is a no-op answered with the
          // activity already under way.
          const previous = [...group.activities].reverse().find((a) => a.description.endsWith(instance.id));
          if (previous) return { Activity: describeActivity(previous) };
          throw validation(
            `Instance Id not found - No managed instance found for instance ID: ${instanceId}`,
          );
        }
        // UNCONFIRMED: terminating a Standby instance is allowed and leaves the desired capacity alone, since
        // Standby instances do not count towards it (AWS-FACTS: EnterStandby/ExitStandby adjust it).
        const counted = instance.lifecycleState === 'Pending' || instance.lifecycleState === 'InService';
        if (input.ShouldDecrementDesiredCapacity && counted) {
          if (group.desired - 1 < group.min) {
            throw validation(
              `Currently, desiredSize equals minSize (${group.min}). Terminating instance without replacement will violate group's min size constraint. ` +
                `Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
            );
          }
          group.desired -= 1;
        }
        const cause = 'an instance was taken out of service in response to a user request';
        return {
          Activity: describeActivity(this.deps.fleet.startTermination(instance, this.deps.now(), cause)),
        };
      }),

      route(AttachTrafficSourcesCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const identifiers = this.trafficSources(input.TrafficSources);
        for (const identifier of identifiers)
          this.deps.fleet.attachTrafficSource(group, identifier, this.deps.now());
        return {};
      }),
      route(DetachTrafficSourcesCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const identifiers = this.trafficSources(input.TrafficSources);
        this.detach(group, identifiers);
        return {};
      }),
      route(AttachLoadBalancerTargetGroupsCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        const arns = this.trafficSources((input.TargetGroupARNs ?? []).map((Identifier) => ({ Identifier })));
        for (const arn of arns) this.deps.fleet.attachTrafficSource(group, arn, this.deps.now());
        return {};
      }),
      route(DetachLoadBalancerTargetGroupsCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        this.detach(
          group,
          this.trafficSources((input.TargetGroupARNs ?? []).map((Identifier) => ({ Identifier }))),
        );
        return {};
      }),

      route(DescribeTrafficSourcesCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        // AWS-FACTS: DescribeTrafficSources MaxRecords ≤ 50.
        const maxRecords = this.maxRecords(input.MaxRecords, 50, 50);
        const sources = [...group.trafficSources.values()].filter(
          (source) => input.TrafficSourceType === undefined || source.type === input.TrafficSourceType,
        );
        const page = paginate(
          sources,
          input.NextToken,
          maxRecords,
          `DescribeTrafficSources:${group.name}`,
          invalidToken,
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
        const group = this.group(input.AutoScalingGroupName);
        const maxRecords = this.maxRecords(input.MaxRecords, 100, 100);
        const sources = [...group.trafficSources.values()];
        const page = paginate(
          sources,
          input.NextToken,
          maxRecords,
          `DescribeLoadBalancerTargetGroups:${group.name}`,
          invalidToken,
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
        const processes = this.processes(input.ScalingProcesses);
        const reason = `User suspended at ${new Date(this.deps.now()).toISOString()}`;
        for (const process of processes)
          if (!group.suspended.has(process)) group.suspended.set(process, reason);
        return {};
      }),
      route(ResumeProcessesCommand, (input) => {
        const group = this.group(input.AutoScalingGroupName);
        for (const process of this.processes(input.ScalingProcesses)) group.suspended.delete(process);
        return {};
      }),

      route(CreateOrUpdateTagsCommand, (input) => {
        const tags = input.Tags ?? [];
        const byGroup = this.tagTargets(tags);
        for (const [group, groupTags] of byGroup) {
          const keys = new Set([...group.tags.keys(), ...groupTags.map((tag) => tag.Key as string)]);
          if (keys.size > MAX_TAGS) {
            throw serviceError(
              'autoscaling',
              'LimitExceededFault',
              `The quota of ${MAX_TAGS} tags per Auto Scaling group has been reached.`,
            );
          }
        }
        for (const [group, groupTags] of byGroup) {
          for (const tag of groupTags) {
            group.tags.set(tag.Key as string, {
              value: tag.Value ?? '',
              propagateAtLaunch: tag.PropagateAtLaunch ?? false,
            });
          }
        }
        return {};
      }),
      route(DeleteTagsCommand, (input) => {
        for (const [group, groupTags] of this.tagTargets(input.Tags ?? [])) {
          for (const tag of groupTags) group.tags.delete(tag.Key as string);
        }
        return {};
      }),
    ];
  }

  private group(name: string | undefined): AutoScalingGroupState {
    const group = name === undefined ? undefined : this.deps.fleet.groups.get(name);
    // UNCONFIRMED: exact text for an unknown group.
    if (!group) throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
    return group;
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

  private standbyInstances(group: AutoScalingGroupState, ids: string[] | undefined): Instance[] {
    const unique = [...new Set(ids ?? [])];
    if (unique.length > MAX_STANDBY_INSTANCES) {
      // UNCONFIRMED: the limit is documented, the message follows AWS's generic constraint wording.
      throw validation(
        constraintMessage(
          `[${unique.join(', ')}]`,
          'instanceIds',
          `Member must have length less than or equal to ${MAX_STANDBY_INSTANCES}`,
        ),
      );
    }
    return unique.map((id) => {
      const instance = group.instances.get(id);
      // UNCONFIRMED: exact text for an instance of another group.
      if (!instance) throw validation(`The instance ${id} is not part of Auto Scaling group ${group.name}.`);
      return instance;
    });
  }

  private trafficSources(sources: TrafficSourceIdentifier[] | undefined): string[] {
    const list = sources ?? [];
    // AWS-FACTS: at most 10 per call (exact text).
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

  private detach(group: AutoScalingGroupState, identifiers: string[]): void {
    const notAttached = identifiers.filter((identifier) => {
      const state = group.trafficSources.get(identifier)?.state;
      return state === undefined || state === 'Removing' || state === 'Removed';
    });
    if (notAttached.length > 0) {
      // UNCONFIRMED: AWS does not document detaching a source that is not attached; modelled as an error
      // (the conservative choice: callers must check before detaching).
      throw validation(
        `Trying to remove Target Groups that are not part of the group {${notAttached.join(', ')}}`,
      );
    }
    for (const identifier of identifiers)
      this.deps.fleet.detachTrafficSource(group, identifier, this.deps.now());
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
