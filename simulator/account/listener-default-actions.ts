/**
 * The production listener's default action as ModifyListener sets it: validated as the ELB API documents
 * (docs/aws-facts/load-balancer-targets.md#weighted-forward-actions), stored in the shape DescribeListeners
 * returns, and chosen among its weighted target groups request by request.
 */
import type { Action, TargetGroupTuple } from '@aws-sdk/client-elastic-load-balancing-v2';
import { constraintMessage, serviceError } from './errors';

/** ALB quotas: "Target Groups per Action per Application Load Balancer", 5, not adjustable. */
export const MAX_TARGET_GROUPS_PER_ACTION = 5;
/** TargetGroupTuple: "The weight. The range is 0 to 999." */
export const MAX_WEIGHT = 999;
/** TargetGroupStickinessConfig: "The range is 1-604800 seconds (7 days)." */
export const MAX_STICKINESS_SECONDS = 604_800;
/** Action: Order is 1–50000. */
const MAX_ORDER = 50_000;

/** Every type the Action API reference lists; only `forward` is modelled. */
const ACTION_TYPES = [
  'forward',
  'authenticate-oidc',
  'authenticate-cognito',
  'redirect',
  'fixed-response',
  'jwt-validation',
];

const elbError = (name: string, message: string): Error =>
  serviceError('elasticloadbalancing', name, message);
// UNCONFIRMED: which code AWS gives each structural mistake in a forward action; the API reference lists
// InvalidLoadBalancerAction ("The requested action is not valid") for ModifyListener.
const invalidAction = (message: string): Error => elbError('InvalidLoadBalancerActionException', message);
const validation = (message: string): Error => elbError('ValidationError', message);

/** A forward action as DescribeListeners returns it, plus the weights routing reads. */
export interface ForwardAction {
  readonly described: Action;
  readonly targetGroups: readonly { readonly arn: string; readonly weight: number }[];
}

/** As AWS describes a listener created with a plain TargetGroupArn (the shape DescribeListeners gave before). */
export function plainForward(targetGroupArn: string): ForwardAction {
  return {
    described: {
      Type: 'forward',
      TargetGroupArn: targetGroupArn,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: targetGroupArn, Weight: 1 }] },
    },
    targetGroups: [{ arn: targetGroupArn, weight: 1 }],
  };
}

/**
 * ModifyListener's DefaultActions, validated; throws the error AWS gives (or, for what the simulation does not
 * model, a plain Error saying so).
 */
export function defaultActionFrom(
  actions: readonly Action[],
  targetGroupExists: (arn: string) => boolean,
): ForwardAction {
  for (const action of actions) {
    if (!ACTION_TYPES.includes(action.Type ?? '')) {
      throw validation(
        constraintMessage(
          String(action.Type),
          'defaultActions.member.type',
          `Member must satisfy enum value set: [${ACTION_TYPES.join(', ')}]`,
        ),
      );
    }
    if (action.Type !== 'forward') {
      throw new Error(
        `The simulated account models only forward default actions, not ${JSON.stringify(action)}`,
      );
    }
  }
  // UNCONFIRMED: the code for no action. "Each rule must include exactly one of the following routing
  // actions: forward, redirect, or fixed-response" (rule action types); an HTTP listener has no
  // authentication action to add, so its default actions are exactly one forward.
  if (actions.length === 0) throw validation('A listener must have at least one default action');
  const [action] = actions;
  if (actions.length > 1 || !action) throw invalidAction('A listener can have only one forward action');
  return forwardFrom(action, targetGroupExists);
}

function forwardFrom(action: Action, targetGroupExists: (arn: string) => boolean): ForwardAction {
  if (
    action.AuthenticateCognitoConfig ||
    action.AuthenticateOidcConfig ||
    action.RedirectConfig ||
    action.FixedResponseConfig
  ) {
    throw invalidAction('A forward action cannot have the configuration of another action type');
  }
  if (
    action.Order !== undefined &&
    !(Number.isInteger(action.Order) && action.Order >= 1 && action.Order <= MAX_ORDER)
  ) {
    throw validation(
      constraintMessage(
        String(action.Order),
        'defaultActions.member.order',
        `Member must have value between 1 and ${MAX_ORDER}`,
      ),
    );
  }
  const tuples = action.ForwardConfig?.TargetGroups ?? [];
  const arn = action.TargetGroupArn;
  if (!arn && tuples.length === 0) {
    throw invalidAction('A forward action must specify a target group ARN or a forward configuration');
  }
  // Action.ForwardConfig: "If you specify both ForwardConfig and TargetGroupArn, you can specify only one
  // target group using ForwardConfig and it must be the same target group specified in TargetGroupArn."
  if (arn && tuples.length > 0 && (tuples.length !== 1 || tuples[0]?.TargetGroupArn !== arn)) {
    throw invalidAction(
      'With both TargetGroupArn and ForwardConfig, ForwardConfig must have exactly that one target group',
    );
  }
  if (tuples.length > MAX_TARGET_GROUPS_PER_ACTION) {
    throw invalidAction(
      `A forward action can have at most ${MAX_TARGET_GROUPS_PER_ACTION} target groups, not ${tuples.length}`,
    );
  }
  const targetGroups = tuples.length > 0 ? tuples.map(weighted) : [{ arn: arn as string, weight: 1 }];
  const arns = targetGroups.map((group) => group.arn);
  // UNCONFIRMED: AWS's code and text for a target group named twice in one action.
  if (new Set(arns).size !== arns.length) {
    throw invalidAction('A target group can appear only once in a forward action');
  }
  const stickiness = action.ForwardConfig?.TargetGroupStickinessConfig;
  if (stickiness) checkStickiness(stickiness);
  if (arns.some((targetGroupArn) => !targetGroupExists(targetGroupArn))) {
    throw elbError('TargetGroupNotFoundException', 'One or more target groups not found');
  }
  const described: Action = {
    Type: 'forward',
    // UNCONFIRMED: that AWS fills TargetGroupArn whenever the action has one target group, as it does for
    // a listener created with TargetGroupArn; with several, only ForwardConfig names them.
    ...(targetGroups.length === 1 ? { TargetGroupArn: arns[0] } : {}),
    ...(action.Order !== undefined ? { Order: action.Order } : {}),
    ForwardConfig: {
      TargetGroups: targetGroups.map((group) => ({ TargetGroupArn: group.arn, Weight: group.weight })),
      ...(stickiness ? { TargetGroupStickinessConfig: { ...stickiness } } : {}),
    },
  };
  return { described, targetGroups };
}

function weighted(tuple: TargetGroupTuple): { arn: string; weight: number } {
  if (!tuple.TargetGroupArn) {
    throw validation('Each target group of a forward configuration needs a TargetGroupArn');
  }
  // UNCONFIRMED: the weight AWS stores when none is given; 1 as in a single-target-group action.
  const weight = tuple.Weight ?? 1;
  if (!Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
    // UNCONFIRMED: the code (the range is only documented in prose).
    throw validation(
      constraintMessage(
        String(weight),
        'defaultActions.member.forwardConfig.targetGroups.member.weight',
        `Member must have value between 0 and ${MAX_WEIGHT}`,
      ),
    );
  }
  return { arn: tuple.TargetGroupArn, weight };
}

function checkStickiness(stickiness: { Enabled?: boolean; DurationSeconds?: number }): void {
  const duration = stickiness.DurationSeconds;
  // TargetGroupStickinessConfig: "You must specify this value when enabling target group stickiness."
  if (stickiness.Enabled === true && duration === undefined) {
    throw validation('DurationSeconds is required when target group stickiness is enabled');
  }
  if (
    duration !== undefined &&
    !(Number.isInteger(duration) && duration >= 1 && duration <= MAX_STICKINESS_SECONDS)
  ) {
    throw validation(
      constraintMessage(
        String(duration),
        'defaultActions.member.forwardConfig.targetGroupStickinessConfig.durationSeconds',
        `Member must have value between 1 and ${MAX_STICKINESS_SECONDS}`,
      ),
    );
  }
}

/**
 * Smooth weighted round robin over a forward action's target groups: deterministic (runs stay reproducible),
 * each target group gets exactly its share of every run of (sum of weights) requests, and within one request
 * of it over any window; weight 0 gets nothing. AWS documents the proportions, not the sequence.
 */
export class WeightedChoice {
  private readonly current: number[];
  private readonly total: number;

  constructor(private readonly targetGroups: ForwardAction['targetGroups']) {
    this.current = targetGroups.map(() => 0);
    this.total = targetGroups.reduce((sum, group) => sum + group.weight, 0);
  }

  /** The target group the next request goes to (undefined when every weight is 0), without taking it. */
  peek(): string | undefined {
    return this.targetGroups[this.nextIndex()]?.arn;
  }

  /** The target group the next request goes to; advances the round. */
  take(): string | undefined {
    const index = this.nextIndex();
    if (index < 0) return undefined;
    this.targetGroups.forEach((group, i) => (this.current[i] = (this.current[i] ?? 0) + group.weight));
    this.current[index] = (this.current[index] ?? 0) - this.total;
    return this.targetGroups[index]?.arn;
  }

  private nextIndex(): number {
    if (this.total === 0) return -1;
    let best = -1;
    let bestValue = -Infinity;
    this.targetGroups.forEach((group, i) => {
      if (group.weight === 0) return;
      const value = (this.current[i] ?? 0) + group.weight;
      if (value > bestValue) {
        best = i;
        bestValue = value;
      }
    });
    return best;
  }
}
