/**
 * The rules of the load balancer's production listener: the header rule the environment starts with, any
 * an operator adds with CreateRule, and the default action (the main target group until ModifyListener
 * changes it, e.g. to a weighted forward). DescribeRules lists them and the simulated ALB routes by them, so
 * a rule a recovery hint creates changes where requests go.
 */
import type { Action, Rule, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EnvironmentDescription } from './environment';
import { plainForward, WeightedChoice, type ForwardAction } from './listener-default-actions';
import { wildcardPattern } from './pagination';

/** ELB API reference (CreateRule): priorities are 1–50000, unique per listener. */
export const MAX_RULE_PRIORITY = 50_000;

export interface ListenerRule {
  readonly arn: string;
  readonly priority: number;
  /** Only http-header conditions are modelled (every one of a rule's conditions must hold). */
  readonly headers: readonly { readonly name: string; readonly values: readonly string[] }[];
  readonly targetGroupArn: string;
}

export class ListenerRules {
  readonly listenerArn: string;
  /** By priority (the order the listener evaluates them in). */
  private readonly rules: ListenerRule[] = [];
  /** Each rule's header conditions, compiled once: every user request is routed through them. */
  private readonly matchers = new Map<ListenerRule, { name: string; values: RegExp[] }[]>();
  private created = 0;
  private defaultAction: ForwardAction;
  private defaultChoice: WeightedChoice;

  constructor(private readonly environment: EnvironmentDescription) {
    this.defaultAction = plainForward(environment.mainTargetGroup.arn);
    this.defaultChoice = new WeightedChoice(this.defaultAction.targetGroups);
    const lb = environment.loadBalancer;
    this.listenerArn = lb.listenerArn ?? `${lb.arn.replace(':loadbalancer/', ':listener/')}/0000000000000001`;
    const { name, value } = environment.syntheticHeader;
    this.insert({
      arn: this.ruleArn(0x10),
      priority: lb.syntheticRulePriority ?? 10,
      headers: [{ name, values: [value] }],
      targetGroupArn: environment.syntheticTargetGroup.arn,
    });
  }

  /** Adds a rule; the caller (the ELB API) has validated it. */
  add(rule: Omit<ListenerRule, 'arn'>): ListenerRule {
    return this.insert({ arn: this.ruleArn(0x100 + ++this.created), ...rule });
  }

  private insert(rule: ListenerRule): ListenerRule {
    this.rules.push(rule);
    this.rules.sort((a, b) => a.priority - b.priority);
    this.matchers.set(
      rule,
      rule.headers.map((header) => ({
        name: header.name.toLowerCase(),
        values: header.values.map((pattern) => wildcardPattern(pattern, 'i')),
      })),
    );
    return rule;
  }

  /** The default actions as DescribeListeners returns them (a copy: nothing outside changes them). */
  defaultActions(): Action[] {
    return [structuredClone(this.defaultAction.described)];
  }

  /** Replaces the default action; the caller (ModifyListener) has validated it. The weighted round restarts. */
  setDefaultAction(action: ForwardAction): void {
    this.defaultAction = action;
    this.defaultChoice = new WeightedChoice(action.targetGroups);
  }

  hasPriority(priority: number): boolean {
    return this.rules.some((rule) => rule.priority === priority);
  }

  /** As DescribeRules lists them: by priority, the default rule last. */
  describe(): Rule[] {
    return [
      ...this.rules.map((rule) => describeRule(rule)),
      {
        RuleArn: this.ruleArn(0),
        Priority: 'default',
        Conditions: [],
        Actions: this.defaultActions(),
        IsDefault: true,
      },
    ];
  }

  /**
   * Where the listener sends the next request with these headers, without sending it: the first rule that
   * matches, else the default action's next weighted choice.
   */
  targetGroupFor(headers: Record<string, string>): string | undefined {
    return this.matchingRule(headers)?.targetGroupArn ?? this.defaultChoice.peek();
  }

  /**
   * Routes one request: the first rule that matches, else the default action, whose weighted round advances.
   * `targetGroupArn` is undefined when every weight of the default action is 0.
   */
  route(headers: Record<string, string>): { targetGroupArn: string | undefined; byDefault: boolean } {
    const rule = this.matchingRule(headers);
    if (rule) return { targetGroupArn: rule.targetGroupArn, byDefault: false };
    return { targetGroupArn: this.defaultChoice.take(), byDefault: true };
  }

  /** The default action's first target group: where a request no target group takes is attributed. */
  firstDefaultTargetGroup(): string {
    return this.defaultAction.targetGroups[0]?.arn ?? this.environment.mainTargetGroup.arn;
  }

  private matchingRule(headers: Record<string, string>): ListenerRule | undefined {
    const entries = Object.entries(headers);
    if (entries.length === 0) return undefined;
    return this.rules.find((rule) =>
      (this.matchers.get(rule) ?? []).every((condition) =>
        entries.some(
          // docs/aws-facts/load-balancer-targets.md#routing: header conditions are case-insensitive on both
          // name and value; values may use * and ?.
          ([key, value]) =>
            key.toLowerCase() === condition.name && condition.values.some((pattern) => pattern.test(value)),
        ),
      ),
    );
  }

  private ruleArn(id: number): string {
    return `${this.listenerArn.replace(':listener/', ':listener-rule/')}/${id.toString(16).padStart(16, '0')}`;
  }
}

export function forward(targetGroupArn: string): NonNullable<Rule['Actions']>[number] {
  return {
    Type: 'forward',
    TargetGroupArn: targetGroupArn,
    ForwardConfig: { TargetGroups: [{ TargetGroupArn: targetGroupArn, Weight: 1 }] },
  };
}

function describeRule(rule: ListenerRule): Rule {
  const conditions: RuleCondition[] = rule.headers.map((header) => ({
    Field: 'http-header',
    HttpHeaderConfig: { HttpHeaderName: header.name, Values: [...header.values] },
  }));
  return {
    RuleArn: rule.arn,
    Priority: String(rule.priority),
    Conditions: conditions,
    Actions: [forward(rule.targetGroupArn)],
    IsDefault: false,
  };
}
