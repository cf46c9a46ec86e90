import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import * as z from 'zod/mini';
import { forwardsTo, targetGroupName } from './aws/elb';

/**
 * The split by weight (docs/design.md#gradual-shift): a production listener's default action forwards to the
 * main target group and, with a share of the weight, to the synthetic one, where only the new version's
 * instances are. The default actions as they were before the shift are recorded, and restored exactly.
 */

/** An action as DescribeListeners gives it; the steps rely on its Type only, the rest is AWS's to judge. */
const actionSchema = z.custom<Action>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as { Type?: unknown }).Type === 'string',
  'must be a listener action as DescribeListeners returns it (an object with a Type)',
);

/** A listener's default actions as DescribeListeners gave them before the shift (ModifyListener takes them back). */
export const recordedListenerSchema = z.strictObject({
  listenerArn: z.string().check(z.minLength(1)),
  defaultActions: z.array(actionSchema).check(z.minLength(1, 'a listener has at least one default action')),
});
export type RecordedListener = z.infer<typeof recordedListenerSchema>;

/**
 * The default actions with `share` percent of the forward to `main` sent to `synthetic` instead: the forward
 * becomes a weighted ForwardConfig (weights 0–999 and at most 5 target groups per action:
 * docs/aws-facts/load-balancer-targets.md#weighted-forward-actions), keeping its order and its target group
 * stickiness; every other action (authentication first, say) is kept as it was. At 100 % the main target
 * group keeps a weight of 0: the listener still names it, so restoring is one change.
 */
export function weightedActions(
  original: readonly Action[],
  targetGroups: { main: string; synthetic: string },
  share: number,
): Action[] {
  return resendable(original).map((action) => {
    if (action.Type !== 'forward' || !forwardsTo([action]).includes(targetGroups.main)) return action;
    // TargetGroupArn goes: beside a ForwardConfig it may name only that config's one target group.
    const { ForwardConfig, ...rest } = action;
    return {
      ...rest,
      TargetGroupArn: undefined,
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: targetGroups.main, Weight: 100 - share },
          { TargetGroupArn: targetGroups.synthetic, Weight: share },
        ],
        ...(ForwardConfig?.TargetGroupStickinessConfig && {
          TargetGroupStickinessConfig: ForwardConfig.TargetGroupStickinessConfig,
        }),
      },
    };
  });
}

/**
 * Described actions as ModifyListener takes them back: DescribeListeners never gives an OIDC action's client
 * secret, and ModifyListener requires it unless `UseExistingClientSecret` is true, which keeps the one the
 * listener has (ELB API reference, AuthenticateOidcActionConfig:
 * docs/aws-facts/load-balancer-targets.md#weighted-forward-actions).
 */
export function resendable(actions: readonly Action[]): Action[] {
  return actions.map((action) =>
    action.AuthenticateOidcConfig && action.AuthenticateOidcConfig.ClientSecret === undefined
      ? {
          ...action,
          AuthenticateOidcConfig: { ...action.AuthenticateOidcConfig, UseExistingClientSecret: true },
        }
      : action,
  );
}

/** Why a listener's default actions cannot be split by weight, or undefined when they can. */
export function unsplittable(actions: readonly Action[], main: string): string | undefined {
  if (!forwardsTo(actions).includes(main))
    return 'its default action does not forward to the main target group';
  const others = besideMain(actions, main);
  if (others.length > 0) {
    return `its default action already forwards to ${others.join(', ')} beside the main target group (weighted by hand, or left weighted by a stopped deployment)`;
  }
  return undefined;
}

/** The target groups default actions forward to other than the main one (a listener has one forward). */
export function besideMain(actions: readonly Action[], main: string): string[] {
  return [...new Set(forwardsTo(actions).filter((arn) => arn !== main))];
}

/**
 * Whether two sets of default actions route alike: the same actions in the same order, forwards compared by
 * their target groups and weights (DescribeListeners may spell a single-group forward both as TargetGroupArn
 * and as a one-group ForwardConfig), everything else as given.
 */
export function sameActions(a: readonly Action[], b: readonly Action[]): boolean {
  return JSON.stringify(a.map(canonical)) === JSON.stringify(b.map(canonical));
}

function canonical(action: Action): unknown {
  if (action.AuthenticateOidcConfig) {
    // Sent to keep the existing secret, never described back: not a difference.
    return sorted({
      ...action,
      AuthenticateOidcConfig: { ...action.AuthenticateOidcConfig, UseExistingClientSecret: undefined },
    });
  }
  if (action.Type !== 'forward') return sorted(action);
  const groups = action.ForwardConfig?.TargetGroups?.length
    ? action.ForwardConfig.TargetGroups.map((group) => [group.TargetGroupArn, group.Weight ?? 1])
    : [[action.TargetGroupArn, 1]];
  return {
    Type: 'forward',
    Order: action.Order,
    groups,
    stickiness: sorted(action.ForwardConfig?.TargetGroupStickinessConfig ?? { Enabled: false }),
  };
}

/** Keys in one order, so that two equal objects serialise alike. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, field]) => [key, sorted(field)]),
  );
}

/**
 * How an operator makes a listener's default action forward to the main target group alone again. A command
 * only when the forward is all there is to its default actions: ModifyListener replaces the whole list, and
 * a printed `--default-actions Type=forward,…` would drop an authentication action before it, or the
 * forward's stickiness (found in review: running it would have opened production to unauthenticated users).
 */
export function forwardToMainAlone(listenerArn: string, actions: readonly Action[], main: string): string {
  const plain =
    actions.length === 1 &&
    actions[0]?.Type === 'forward' &&
    !actions[0].ForwardConfig?.TargetGroupStickinessConfig?.Enabled;
  if (plain) {
    return `aws elbv2 modify-listener --listener-arn ${listenerArn} --default-actions Type=forward,TargetGroupArn=${main}`;
  }
  return `change only its forward action to forward to ${targetGroupName(main)} alone, keeping its other actions and settings (authentication, order, stickiness): ModifyListener replaces every default action, so give it all of them (aws elbv2 describe-listeners --listener-arns ${listenerArn} shows them)`;
}
