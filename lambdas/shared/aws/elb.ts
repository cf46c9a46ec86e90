import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  type Action,
  type Listener,
  type Rule,
  type TargetGroup,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { allPages } from '../batch';
import { callAws, CLIENT_CONFIG, errorName } from './call';

export const elb = new ElasticLoadBalancingV2Client(CLIENT_CONFIG);

export type TargetState = TargetHealthStateEnum | 'unknown';

/**
 * Health of every target registered in the group, by instance id. DescribeTargetHealth does not paginate,
 * so one call answers for any fleet size; asking for the whole group keeps the request constant-size.
 */
export async function targetHealth(targetGroupArn: string): Promise<Map<string, TargetState>> {
  const response = await callAws('DescribeTargetHealth', () =>
    elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
  );
  const health = new Map<string, TargetState>();
  for (const description of response.TargetHealthDescriptions ?? []) {
    const id = description.Target?.Id;
    if (id) health.set(id, description.TargetHealth?.State ?? 'unknown');
  }
  return health;
}

/** "name" from "arn:…:targetgroup/name/id", for messages an operator reads. */
export function targetGroupName(arn: string): string {
  return arn.split('/')[1] ?? arn;
}

export interface TargetSummary {
  /** How many of the asked-for instances there are. */
  total: number;
  healthy: number;
  unhealthy: number;
  /** "1 initial, 1 not registered": the instances neither healthy nor unhealthy, for progress messages. */
  others: string;
}

/**
 * How the given instances fare in one target group's health map. An instance absent from the map is not
 * registered there (DescribeTargetHealth without `Targets` lists registered targets only).
 */
export function summariseTargets(
  health: ReadonlyMap<string, TargetState>,
  instanceIds: readonly string[],
): TargetSummary {
  let healthy = 0;
  let unhealthy = 0;
  const others = new Map<string, number>();
  for (const id of instanceIds) {
    const state = health.get(id);
    if (state === 'healthy') healthy += 1;
    else if (state === 'unhealthy') unhealthy += 1;
    else {
      const label = state ?? 'not registered';
      others.set(label, (others.get(label) ?? 0) + 1);
    }
  }
  return {
    total: instanceIds.length,
    healthy,
    unhealthy,
    others: [...others.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([state, count]) => `${count} ${state}`)
      .join(', '),
  };
}

/** A target group as the pre-flight check reads it, or undefined when it does not exist. */
export async function describeTargetGroup(arn: string): Promise<TargetGroup | undefined> {
  try {
    const response = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    return response.TargetGroups?.[0];
  } catch (error) {
    if (errorName(error) === 'TargetGroupNotFoundException') return undefined;
    return callAws('DescribeTargetGroups', () => Promise.reject(error));
  }
}

/**
 * How long the target group drains a deregistered target (`deregistration_delay.timeout_seconds`; ELB's
 * default is 300 s, at most 3,600: docs/aws-facts/load-balancer-targets.md).
 */
export async function deregistrationDelaySeconds(arn: string): Promise<number> {
  const answer = await callAws('DescribeTargetGroupAttributes', () =>
    elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
  );
  const value = answer.Attributes?.find(
    (attribute) => attribute.Key === 'deregistration_delay.timeout_seconds',
  );
  return Number(value?.Value ?? 300);
}

/** Every listener of a load balancer (DescribeListeners pages with Marker). */
export async function listenersOf(loadBalancerArn: string): Promise<Listener[]> {
  return allPages(async (Marker) => {
    const page = await callAws('DescribeListeners', () =>
      elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker })),
    );
    return { items: page.Listeners, next: page.NextMarker };
  });
}

/** Every rule of a listener, default rule included (DescribeRules pages with Marker). */
export async function rulesOf(listenerArn: string): Promise<Rule[]> {
  return allPages(async (Marker) => {
    const page = await callAws('DescribeRules', () =>
      elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker })),
    );
    return { items: page.Rules, next: page.NextMarker };
  });
}

/** The target groups an action forwards to: `TargetGroupArn`, or every group of a weighted `ForwardConfig`. */
export function forwardsTo(actions: readonly Action[] | undefined): string[] {
  return (actions ?? [])
    .filter((action) => action.Type === 'forward')
    .flatMap((action) => [
      ...(action.TargetGroupArn ? [action.TargetGroupArn] : []),
      ...(action.ForwardConfig?.TargetGroups ?? []).map((group) => group.TargetGroupArn ?? ''),
    ])
    .filter(Boolean);
}

/** One listener by ARN, or undefined when it no longer exists. */
export async function describeListener(listenerArn: string): Promise<Listener | undefined> {
  try {
    const answer = await callAws('DescribeListeners', () =>
      elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })),
    );
    return answer.Listeners?.[0];
  } catch (error) {
    if (errorName(error) === 'ListenerNotFoundException') return undefined;
    throw error;
  }
}

/** Replaces a listener's default actions (ModifyListener changes only the fields it is given). */
export async function setDefaultActions(listenerArn: string, actions: readonly Action[]): Promise<void> {
  await callAws('ModifyListener', () =>
    elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [...actions] })),
  );
}
