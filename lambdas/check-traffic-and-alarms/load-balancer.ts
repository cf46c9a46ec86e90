import type { Listener, Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  deregistrationDelaySeconds,
  describeTargetGroup,
  forwardsTo,
  listenersOf,
  rulesOf,
  targetGroupName,
} from '../shared/aws/elb';
import { besideMain, forwardToMainAlone } from '../shared/listener-weights';
import type { SyntheticHeader } from '../shared/settings/fields';

/**
 * Both target groups exist and take instances, and a listener that serves the main target group has a rule
 * that sends requests with the synthetic header to the synthetic one: without it the synthetic checks would
 * reach production, or nothing.
 */
export async function loadBalancerProblems(settings: {
  targetGroups: { main: string; synthetic: string };
  syntheticHeader: SyntheticHeader;
  shift: { mode: string; split: string };
  waits: DrainingWaits;
}): Promise<string[]> {
  const { main, synthetic } = settings.targetGroups;
  const problems: string[] = [];
  const groups = { main: await describeTargetGroup(main), synthetic: await describeTargetGroup(synthetic) };
  for (const [field, arn] of Object.entries(settings.targetGroups) as ['main' | 'synthetic', string][]) {
    const group = groups[field];
    if (!group) {
      problems.push(`targetGroups.${field}: ${arn} does not exist in this account and Region.`);
    } else if (group.TargetType !== 'instance') {
      problems.push(
        `targetGroups.${field}: ${targetGroupName(arn)} has target type "${group.TargetType}"; Auto Scaling ` +
          `registers instances, so it must be a target group of type "instance".`,
      );
    }
  }
  if (!groups.main || !groups.synthetic) return problems;
  problems.push(...(await drainingProblems(settings.targetGroups, settings.waits)));

  const header = settings.syntheticHeader;
  const servingListeners = [];
  for (const loadBalancerArn of groups.main.LoadBalancerArns ?? []) {
    for (const listener of await listenersOf(loadBalancerArn)) {
      if (forwardsTo(listener.DefaultActions).includes(main)) servingListeners.push(listener);
    }
  }
  if (servingListeners.length === 0) {
    return [
      ...problems,
      `targetGroups.main: no load balancer listener forwards to ${targetGroupName(main)} by default; ` +
        `make it the default action of the production listener.`,
    ];
  }
  const byWeight = settings.shift.split === 'weight' && settings.shift.mode !== 'all-at-once';
  for (const listener of servingListeners) {
    const problem = defaultActionProblem(listener, settings.targetGroups, byWeight);
    if (problem) problems.push(problem);
    const rules = await rulesOf(listener.ListenerArn ?? '');
    if (!rules.some((rule) => routesHeader(rule, header, synthetic))) {
      problems.push(
        `syntheticChecks.header: listener ${listener.ListenerArn} has no rule that forwards requests with ` +
          `the header "${header.name}: ${header.value}" to ${targetGroupName(synthetic)}, so synthetic checks ` +
          `would reach production. Add one: aws elbv2 create-rule --listener-arn ${listener.ListenerArn} ` +
          `--priority ${freePriority(rules)} --conditions 'Field=http-header,HttpHeaderConfig={HttpHeaderName=${header.name},Values=[${header.value}]}' ` +
          `--actions Type=forward,TargetGroupArn=${synthetic}`,
      );
    }
  }
  return problems;
}

/**
 * A production listener's default action must forward to the main target group alone: one that also
 * forwards to the synthetic target group (a shift by weight a stopped deployment left, with the recovery
 * off) would send users to the new version before its checks; and a shift by weight cannot weight, then
 * restore, a default action that forwards to other target groups as well (docs/design.md#gradual-shift).
 */
function defaultActionProblem(
  listener: Listener,
  targetGroups: { main: string; synthetic: string },
  byWeight: boolean,
): string | undefined {
  const others = besideMain(listener.DefaultActions ?? [], targetGroups.main);
  const fix = forwardToMainAlone(
    listener.ListenerArn ?? '',
    listener.DefaultActions ?? [],
    targetGroups.main,
  );
  if (others.includes(targetGroups.synthetic)) {
    return (
      `targetGroups.synthetic: the default action of listener ${listener.ListenerArn} forwards to ` +
      `${targetGroupName(targetGroups.synthetic)} beside ${targetGroupName(targetGroups.main)} (a shift by weight ` +
      `left as it was by a stopped deployment?), so users would reach the new version before its checks. ` +
      `Forward to ${targetGroupName(targetGroups.main)} alone: ${fix}`
    );
  }
  if (byWeight && others.length > 0) {
    return (
      `shift.split: the default action of listener ${listener.ListenerArn} forwards to ` +
      `${others.map(targetGroupName).join(', ')} beside ${targetGroupName(targetGroups.main)}: a shift by weight ` +
      `weights and restores a forward to the main target group alone. Forward to it alone (${fix}), or ` +
      `deploy with "shift": {"split": "instances"}.`
    );
  }
  return undefined;
}

/** The waits a target group's draining lengthens: each must outlast it, with a minute to spare. */
const DRAINING_WAITS = ['oldFleetInStandby', 'targetGroupsDetached'] as const;
const DRAINING_MARGIN_SECONDS = 60;
type DrainingWaits = Record<(typeof DRAINING_WAITS)[number], { timeoutSeconds: number }>;

/**
 * A target leaves a target group only once it has drained for the group's deregistration delay: the old
 * fleet entering Standby (oldFleetInStandby) and a group leaving its target groups (targetGroupsDetached)
 * wait that long. A wait shorter than the delay gives up on a drain that is only slow, and a rollback or a
 * finish ends as manual action needed.
 */
async function drainingProblems(
  targetGroups: { main: string; synthetic: string },
  waits: DrainingWaits,
): Promise<string[]> {
  const delays = await Promise.all(
    Object.values(targetGroups).map(async (arn) => ({ arn, seconds: await deregistrationDelaySeconds(arn) })),
  );
  const longest = delays.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const needed = longest.seconds + DRAINING_MARGIN_SECONDS;
  return DRAINING_WAITS.filter((wait) => waits[wait].timeoutSeconds < needed).map(
    (wait) =>
      `waits.${wait}: ${targetGroupName(longest.arn)} drains a target for ${longest.seconds} s (its deregistration ` +
      `delay), longer than waits.${wait}.timeoutSeconds (${waits[wait].timeoutSeconds} s) leaves. Set it to at ` +
      `least ${needed} in the configuration and deploy the orchestrator again, or shorten the delay.`,
  );
}

/**
 * A priority no rule of the listener has: after the last one, so the new rule changes no request an existing
 * rule already routes (ELB API reference, CreateRule: 1–50000, unique per listener).
 */
function freePriority(rules: readonly Rule[]): number {
  const used = new Set(rules.map((rule) => Number(rule.Priority)).filter(Number.isInteger));
  const after = Math.max(0, ...used) + 1;
  if (after <= 50_000) return after;
  let free = 1;
  while (used.has(free)) free++;
  return free;
}

/**
 * Header conditions match the name and the value case-insensitively, and values may use `*` and `?`
 * (ELB API reference, HttpHeaderConditionConfig); a rule's conditions must all hold.
 */
function routesHeader(rule: Rule, header: { name: string; value: string }, targetGroupArn: string): boolean {
  if (rule.IsDefault || !forwardsTo(rule.Actions).includes(targetGroupArn)) return false;
  const conditions = rule.Conditions ?? [];
  return (
    conditions.length > 0 &&
    conditions.every((condition) => {
      const config = condition.HttpHeaderConfig;
      if (condition.Field !== 'http-header' || !config) return false;
      if ((config.HttpHeaderName ?? '').toLowerCase() !== header.name.toLowerCase()) return false;
      return (config.Values ?? []).some((pattern) => wildcard(pattern).test(header.value));
    })
  );
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}
