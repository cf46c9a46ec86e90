import { targetGroupTraffic } from '../shared/aws/cloudwatch';
import { describeTargetGroup, forwardsTo, listenersOf, targetGroupName } from '../shared/aws/elb';
import { UnsafeOperationError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { forwardToMainAlone, unsplittable, type RecordedListener } from '../shared/listener-weights';
import { partialShares } from '../shared/settings/shift';
import type { ShiftPlan } from '../shared/shift-plan';
import { InputSchema, type Input } from './input';

export type Output = ShiftPlan;

const MINUTE_MS = 60_000;

/**
 * Plans the shift just before it starts (docs/design.md#gradual-shift): the shares the new version takes,
 * by weight the production listeners' default actions as they are now (restored exactly afterwards), and,
 * with comparison on, the old version's figures over the last minutes (the baseline). Read-only: a repeated
 * run plans again from the same account, and a refusal aborts with production untouched.
 */
async function run(input: Input): Promise<Output> {
  const { shift, targetGroups } = input;
  // A first deployment has no old version to share traffic with: it takes all of it, as it always did.
  const partial = input.roles.firstDeployment ? [] : partialShares(shift);
  const shares = partial.length > 0 ? [...partial, 100] : [];
  const byWeight = shift.split === 'weight' && shares.length > 0;
  const comparing = input.comparison.enabled && !input.roles.firstDeployment;
  // The load balancers name the listeners to weight and the metrics to compare: read only for those, so
  // that the default shift (all at once, no comparison) costs no call here.
  const loadBalancerArns =
    byWeight || comparing ? ((await describeTargetGroup(targetGroups.main))?.LoadBalancerArns ?? []) : [];
  const listeners = byWeight ? await productionListeners(loadBalancerArns, targetGroups.main) : [];
  const baseline = comparing
    ? await lastMinutes(loadBalancerArns, targetGroups.main, input.comparison.baselineMinutes)
    : undefined;
  return {
    mode: shares.length > 0 ? shift.mode : 'all-at-once',
    split: shift.split,
    shares,
    steps: shares.length,
    bakeMinutes: shift.bakeMinutes,
    current: { number: 0, share: 0 },
    mainTargetGroupArn: targetGroups.main,
    newTargetGroupArn: byWeight ? targetGroups.synthetic : targetGroups.main,
    listeners,
    loadBalancerArns,
    ...(baseline && { baseline }),
    summary: summary(shares, shift.split, shift.bakeMinutes, input.roles.firstDeployment, shift.mode),
  };
}

/**
 * Every listener whose default action forwards to the main target group, as it is now. One that forwards
 * to other target groups beside main is refused: its weights are not ours to restore.
 */
async function productionListeners(
  loadBalancerArns: readonly string[],
  main: string,
): Promise<RecordedListener[]> {
  const found: RecordedListener[] = [];
  for (const loadBalancerArn of loadBalancerArns) {
    for (const listener of await listenersOf(loadBalancerArn)) {
      const actions = listener.DefaultActions ?? [];
      if (!forwardsTo(actions).includes(main)) continue;
      const problem = unsplittable(actions, main);
      if (problem) {
        throw new UnsafeOperationError(
          `Cannot split traffic by weight on listener ${listener.ListenerArn}: ${problem}. Make its default action forward to ${targetGroupName(main)} alone (${forwardToMainAlone(listener.ListenerArn ?? '', actions, main)}), or deploy with "shift": {"split": "instances"}.`,
        );
      }
      found.push({ listenerArn: listener.ListenerArn ?? '', defaultActions: actions });
    }
  }
  if (found.length === 0) {
    throw new UnsafeOperationError(
      `Cannot split traffic by weight: no listener's default action forwards to ${targetGroupName(main)}. Deploy with "shift": {"split": "instances"}.`,
    );
  }
  return found;
}

/** The main target group's traffic over the last whole minutes: the old version, alone there before the shift. */
async function lastMinutes(loadBalancerArns: readonly string[], main: string, minutes: number) {
  const end = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  const [figures] = await targetGroupTraffic(
    loadBalancerArns,
    [main],
    new Date(end - minutes * MINUTE_MS),
    new Date(end),
  );
  return figures;
}

function summary(
  shares: readonly number[],
  split: string,
  bakeMinutes: number,
  firstDeployment: boolean,
  mode: string,
): string {
  if (shares.length === 0) {
    return firstDeployment && mode !== 'all-at-once'
      ? 'all at once: a first deployment has no old version to share traffic with'
      : 'all at once';
  }
  return `${shares.map((share) => `${share}%`).join(' → ')} by ${split}, each share below 100% baked ${bakeMinutes} min`;
}

export const handler = defineHandler('plan-traffic-shift', InputSchema, run);
