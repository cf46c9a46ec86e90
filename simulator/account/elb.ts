// Over 250 lines: one route per Elastic Load Balancing v2 operation the steps and the hints call.
/** The Elastic Load Balancing v2 API over the simulated load balancer and its target groups. */
import {
  CreateRuleCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyListenerCommand,
  type Listener,
  type LoadBalancer,
  type TargetGroup as SdkTargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EnvironmentDescription } from './environment';
import { constraintMessage, serviceError, tooManyMessage } from './errors';
import type { Instance } from './instances';
import { paginate } from './pagination';
import { defaultActionFrom } from './listener-default-actions';
import { MAX_RULE_PRIORITY, type ListenerRules } from './listener-rules';
import { route, type Route } from './router';
import type { TargetGroup } from './target-groups';

const elbError = (name: string, message: string): Error =>
  serviceError('elasticloadbalancing', name, message);
const targetGroupNotFound = (): Error =>
  elbError('TargetGroupNotFoundException', 'One or more target groups not found');
const loadBalancerNotFound = (): Error =>
  elbError('LoadBalancerNotFoundException', 'One or more load balancers not found');
const invalidMarker = (): Error => elbError('ValidationError', 'Invalid value for marker');

const PORT = 80;

interface ElbDependencies {
  environment: EnvironmentDescription;
  targetGroups: Map<string, TargetGroup>;
  registry: Map<string, Instance>;
  now: () => number;
  /** The production listener's rules, which the simulated ALB routes by. */
  rules: ListenerRules;
}

export class ElasticLoadBalancing {
  constructor(private readonly deps: ElbDependencies) {}

  routes(): Route[] {
    const { environment } = this.deps;
    const lb = environment.loadBalancer;
    const { listenerArn } = this.deps.rules;
    return [
      // DescribeTargetHealth has no pagination
      // (docs/aws-facts/load-balancer-targets.md#describetargethealth).
      route(DescribeTargetHealthCommand, (input) => {
        const targetGroup = this.deps.targetGroups.get(input.TargetGroupArn ?? '');
        if (!targetGroup) throw targetGroupNotFound();
        const ids = input.Targets?.map((target) => target.Id ?? '') ?? [...targetGroup.targets.keys()];
        return { TargetHealthDescriptions: ids.map((id) => this.describeTargetHealth(targetGroup, id)) };
      }),

      route(DescribeTargetGroupsCommand, (input) => {
        checkPageSize(input.PageSize);
        if (input.LoadBalancerArn !== undefined && input.LoadBalancerArn !== lb.arn)
          throw loadBalancerNotFound();
        let groups = [...this.deps.targetGroups.values()];
        if (input.TargetGroupArns?.length) {
          groups = input.TargetGroupArns.map(
            (arn) => this.deps.targetGroups.get(arn) ?? throwError(targetGroupNotFound()),
          );
        }
        if (input.Names?.length) {
          groups = input.Names.map(
            (name) => groups.find((group) => group.name === name) ?? throwError(targetGroupNotFound()),
          );
        }
        const page = paginate(
          groups,
          input.Marker,
          input.PageSize ?? 400,
          'DescribeTargetGroups',
          invalidMarker,
        );
        return {
          TargetGroups: page.items.map((group) => this.describeTargetGroup(group)),
          NextMarker: page.nextToken,
        };
      }),

      route(DescribeTargetGroupAttributesCommand, (input) => {
        const targetGroup = this.deps.targetGroups.get(input.TargetGroupArn ?? '');
        if (!targetGroup) throw targetGroupNotFound();
        return {
          Attributes: [
            {
              Key: 'deregistration_delay.timeout_seconds',
              Value: String(targetGroup.deregistrationDelaySeconds),
            },
            { Key: 'stickiness.enabled', Value: 'false' },
            { Key: 'load_balancing.algorithm.type', Value: 'round_robin' },
            { Key: 'slow_start.duration_seconds', Value: '0' },
          ],
        };
      }),

      // "You can specify up to 20 load balancers in a single call"
      // (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeLoadBalancers.html).
      route(DescribeLoadBalancersCommand, (input) => {
        checkPageSize(input.PageSize);
        if ((input.LoadBalancerArns?.length ?? 0) > 20) {
          // UNCONFIRMED: the error code and text.
          throw elbError(
            'ValidationError',
            tooManyMessage(input.LoadBalancerArns ?? [], 'loadBalancerArns', 20),
          );
        }
        const wanted = [...(input.LoadBalancerArns ?? []), ...(input.Names ?? [])];
        if (wanted.some((key) => key !== lb.arn && key !== lb.name)) throw loadBalancerNotFound();
        const loadBalancer: LoadBalancer = {
          LoadBalancerArn: lb.arn,
          LoadBalancerName: lb.name,
          DNSName: lb.dnsName,
          CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
          Scheme: 'internet-facing',
          Type: 'application',
          State: { Code: 'active' },
          IpAddressType: 'ipv4',
          VpcId: 'vpc-0a1b2c3d4e5f60001',
          CreatedTime: new Date(0),
        };
        return { LoadBalancers: [loadBalancer] };
      }),

      // "You must specify either a load balancer or one or more listeners"
      // (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeListeners.html).
      route(DescribeListenersCommand, (input) => {
        checkPageSize(input.PageSize);
        if (input.LoadBalancerArn === undefined && !input.ListenerArns?.length) {
          // UNCONFIRMED: the error code and text for neither.
          throw elbError('ValidationError', 'A load balancer ARN or listener ARNs must be specified');
        }
        if (input.LoadBalancerArn !== undefined && input.LoadBalancerArn !== lb.arn)
          throw loadBalancerNotFound();
        if (input.ListenerArns?.some((arn) => arn !== listenerArn)) {
          throw elbError('ListenerNotFoundException', 'One or more listeners not found');
        }
        return { Listeners: [this.listener()] };
      }),

      // ELB API reference, ModifyListener: "Any properties that you do not specify remain unchanged"; a list
      // is replaced whole. Only the default actions are modelled: a change of port, protocol, certificates
      // or policies is refused loudly (docs/aws-facts/load-balancer-targets.md#weighted-forward-actions).
      route(ModifyListenerCommand, (input) => {
        if (input.ListenerArn !== listenerArn) {
          throw elbError('ListenerNotFoundException', 'One or more listeners not found');
        }
        const unmodelled = [
          input.Port !== undefined && input.Port !== PORT ? 'Port' : undefined,
          input.Protocol !== undefined && input.Protocol !== 'HTTP' ? 'Protocol' : undefined,
          input.SslPolicy !== undefined ? 'SslPolicy' : undefined,
          input.Certificates !== undefined ? 'Certificates' : undefined,
          input.AlpnPolicy !== undefined ? 'AlpnPolicy' : undefined,
          input.MutualAuthentication !== undefined ? 'MutualAuthentication' : undefined,
        ].filter((name) => name !== undefined);
        if (unmodelled.length > 0) {
          throw new Error(
            `The simulated account models only ModifyListener's DefaultActions (the listener stays HTTP on port ${PORT}), not ${unmodelled.join(', ')}`,
          );
        }
        if (input.DefaultActions !== undefined) {
          const action = defaultActionFrom(input.DefaultActions, (arn) => this.deps.targetGroups.has(arn));
          this.deps.rules.setDefaultAction(action);
        }
        return { Listeners: [this.listener()] };
      }),

      // "You must specify either a listener or one or more rules"; an unknown rule is RuleNotFound
      // (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeRules.html).
      route(DescribeRulesCommand, (input) => {
        checkPageSize(input.PageSize);
        if (input.ListenerArn === undefined && !input.RuleArns?.length) {
          // UNCONFIRMED: the error code and text for neither.
          throw elbError('ValidationError', 'A listener ARN or rule ARNs must be specified');
        }
        if (input.ListenerArn !== undefined && input.ListenerArn !== listenerArn) {
          throw elbError('ListenerNotFoundException', 'One or more listeners not found');
        }
        let rules = this.deps.rules.describe();
        if (input.RuleArns?.length) {
          rules = input.RuleArns.map(
            (arn) =>
              rules.find((rule) => rule.RuleArn === arn) ??
              throwError(elbError('RuleNotFoundException', 'One or more rules not found')),
          );
        }
        return { Rules: rules };
      }),

      // ELB API reference, CreateRule. Only what recovery hints create is modelled (http-header conditions,
      // one forward action); anything else is refused loudly rather than half-simulated.
      route(CreateRuleCommand, (input) => {
        if (input.ListenerArn !== listenerArn) {
          throw elbError('ListenerNotFoundException', 'One or more listeners not found');
        }
        const priority = input.Priority;
        if (
          priority === undefined ||
          !Number.isInteger(priority) ||
          priority < 1 ||
          priority > MAX_RULE_PRIORITY
        ) {
          throw elbError(
            'ValidationError',
            `1 validation error detected: Value '${priority}' at 'priority' failed to satisfy constraint: Member must have value between 1 and ${MAX_RULE_PRIORITY}`,
          );
        }
        if (this.deps.rules.hasPriority(priority)) {
          throw elbError('PriorityInUseException', `Priority '${priority}' is currently in use`);
        }
        const conditions = input.Conditions ?? [];
        if (conditions.length === 0) {
          throw elbError('ValidationError', 'A rule must have at least one condition');
        }
        const headers = conditions.map((condition) => {
          const config = condition.HttpHeaderConfig;
          if (condition.Field !== 'http-header' || !config?.HttpHeaderName || !config.Values?.length) {
            throw new Error(
              `The simulated account models only http-header rule conditions with a name and values, not ${JSON.stringify(condition)}`,
            );
          }
          return { name: config.HttpHeaderName, values: config.Values };
        });
        const actions = input.Actions ?? [];
        const [action] = actions;
        if (
          actions.length !== 1 ||
          action?.Type !== 'forward' ||
          !action.TargetGroupArn ||
          action.ForwardConfig
        ) {
          throw new Error(
            `The simulated account models only one forward action with a TargetGroupArn, not ${JSON.stringify(actions)}`,
          );
        }
        if (!this.deps.targetGroups.has(action.TargetGroupArn)) throw targetGroupNotFound();
        const rule = this.deps.rules.add({ priority, headers, targetGroupArn: action.TargetGroupArn });
        return { Rules: this.deps.rules.describe().filter((described) => described.RuleArn === rule.arn) };
      }),
    ];
  }

  private listener(): Listener {
    return {
      ListenerArn: this.deps.rules.listenerArn,
      LoadBalancerArn: this.deps.environment.loadBalancer.arn,
      Port: PORT,
      Protocol: 'HTTP',
      DefaultActions: this.deps.rules.defaultActions(),
    };
  }

  private describeTargetHealth(targetGroup: TargetGroup, id: string): TargetHealthDescription {
    const target = targetGroup.targets.get(id);
    const description = { Target: { Id: id, Port: PORT }, HealthCheckPort: String(PORT) };
    if (target) {
      return {
        ...description,
        TargetHealth: { State: target.state, Reason: target.reason, Description: target.description },
      };
    }
    const instance = this.deps.registry.get(id);
    if (!instance) {
      // UNCONFIRMED: message text for an id that is not an instance of this account.
      throw elbError('InvalidTargetException', `The following targets are not valid instances: '${id}'`);
    }
    const terminated = instance.stoppedAt !== undefined && this.deps.now() >= instance.stoppedAt;
    return {
      ...description,
      TargetHealth: terminated
        ? { State: 'unused', Reason: 'Target.InvalidState', Description: 'Target is in the terminated state' }
        : {
            State: 'unused',
            Reason: 'Target.NotRegistered',
            Description: 'Target is not registered to the target group',
          },
    };
  }

  private describeTargetGroup(group: TargetGroup): SdkTargetGroup {
    const hc = group.healthCheck;
    return {
      TargetGroupArn: group.arn,
      TargetGroupName: group.name,
      Protocol: 'HTTP',
      Port: PORT,
      VpcId: 'vpc-0a1b2c3d4e5f60001',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckPath: hc.path,
      HealthCheckIntervalSeconds: hc.intervalSeconds,
      HealthCheckTimeoutSeconds: hc.timeoutSeconds,
      HealthyThresholdCount: hc.healthyThresholdCount,
      UnhealthyThresholdCount: hc.unhealthyThresholdCount,
      Matcher: { HttpCode: hc.matcherHttpCode },
      LoadBalancerArns: [this.deps.environment.loadBalancer.arn],
      TargetType: 'instance',
      ProtocolVersion: 'HTTP1',
      IpAddressType: 'ipv4',
    };
  }
}

/**
 * PageSize of the Describe operations: 1 to 400 (API reference, e.g.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroups.html).
 */
function checkPageSize(pageSize: number | undefined): void {
  if (pageSize !== undefined && (pageSize < 1 || pageSize > 400)) {
    throw elbError(
      'ValidationError',
      constraintMessage(String(pageSize), 'pageSize', 'Member must have value between 1 and 400'),
    );
  }
}

function throwError(error: Error): never {
  throw error;
}
