import { targetGroupTraffic, type TrafficFigures } from '../shared/aws/cloudwatch';
import { VersionWorseThanOldError } from '../shared/errors';
import type { ComparisonSettings } from '../shared/settings/shift';
import type { ShiftPlan } from '../shared/shift-plan';

const MINUTE_MS = 60_000;

/**
 * The comparison (docs/design.md#comparison), over the whole minutes since this bake or the window began
 * that have ended. By weight while a share bakes: the synthetic target group (the new version) against the
 * main one (the old) on the same minutes. Otherwise against the baseline, the main target group before the
 * shift: in the window it holds the new version alone; split by instances while a share bakes it holds
 * both, whose figures the load balancer cannot tell apart, so the share is judged by what it does to the
 * fleet's. (Estimating the new version's part from the mixed figures would blame it, several times over,
 * for any drift of the old version from its baseline: found in review.) Off, or with nothing to compare
 * with: undefined.
 */
export async function compareWithOldVersion(
  plan: ShiftPlan,
  settings: ComparisonSettings,
  stage: 'bake' | 'window',
  startedAt: number,
): Promise<string | undefined> {
  if (!settings.enabled) return undefined;
  const start = Math.ceil(startedAt / MINUTE_MS) * MINUTE_MS;
  const end = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  if (end <= start) return 'comparison waits for the first whole minute';
  const range = [new Date(start), new Date(end)] as const;
  if (stage === 'bake' && plan.split === 'weight' && plan.listeners.length > 0) {
    const [newer, older] = await targetGroupTraffic(
      plan.loadBalancerArns,
      [plan.newTargetGroupArn, plan.mainTargetGroupArn],
      ...range,
    );
    return compareVersions(newer, older, settings, {
      period: 'in the same minutes',
      old: 'in the same minutes',
    });
  }
  if (!plan.baseline) return 'comparison off: no old version served before the shift';
  const [served] = await targetGroupTraffic(plan.loadBalancerArns, [plan.mainTargetGroupArn], ...range);
  return compareVersions(served, plan.baseline, settings, {
    period:
      stage === 'bake'
        ? `with ${plan.current.share}% of the fleet on it, in the main target group`
        : 'in the window',
    old: 'before the shift',
  });
}

/**
 * The new version judged against the old one on the same traffic (docs/design.md#comparison): worse than
 * the tolerance allows on its 5xx rate or its average response time throws, with both sides' figures;
 * otherwise a line for the check's detail. Too few requests on either side gives no verdict yet.
 */
export function compareVersions(
  newer: TrafficFigures,
  older: TrafficFigures,
  settings: ComparisonSettings,
  what: { period: string; old: string },
): string {
  const fewest = Math.min(newer.requests, older.requests);
  if (fewest < settings.minRequests) {
    return `comparison waits for ${settings.minRequests} requests on each side (new ${count(newer.requests)}, old ${count(older.requests)} ${what.old})`;
  }
  const newRate = rate(newer);
  const oldRate = rate(older);
  const problems: string[] = [];
  if (newRate - oldRate > settings.maxErrorRateIncreasePoints) {
    problems.push(
      `5xx rate ${percent(newRate)} against ${percent(oldRate)} (at most +${settings.maxErrorRateIncreasePoints} points allowed)`,
    );
  }
  const slowest = older.latencyMs * (1 + settings.maxLatencyIncreasePercent / 100);
  if (newer.latencyMs > slowest) {
    problems.push(
      `average response time ${ms(newer.latencyMs)} against ${ms(older.latencyMs)} (at most +${settings.maxLatencyIncreasePercent}% allowed)`,
    );
  }
  const figures = `new ${count(newer.requests)} requests ${what.period}, old ${count(older.requests)} ${what.old}`;
  if (problems.length > 0) {
    throw new VersionWorseThanOldError(
      `The new version does worse than the old one: ${problems.join('; ')}; ${figures}. Set monitoring.comparison to change the tolerances.`,
    );
  }
  return `comparison: 5xx ${percent(newRate)} vs ${percent(oldRate)}, response ${ms(newer.latencyMs)} vs ${ms(older.latencyMs)} (${figures})`;
}

/** The 5xx rate, in percent. */
function rate(figures: TrafficFigures): number {
  return figures.requests === 0 ? 0 : (figures.errors / figures.requests) * 100;
}

function percent(value: number): string {
  return `${value.toFixed(2)}%`;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
