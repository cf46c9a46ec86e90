import type { TrafficFigures } from '../shared/aws/cloudwatch';
import { VersionWorseThanOldError } from '../shared/errors';
import type { ComparisonSettings } from '../shared/settings/shift';

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

/**
 * The new version's part of a target group both versions serve, from the old version's figures and the new
 * one's share of the group's requests: split by instances, the load balancer's metrics cannot tell the
 * versions apart (docs/design.md#comparison). An estimate; negative parts (noise) count as none.
 */
export function newVersionPart(
  mixed: TrafficFigures,
  older: TrafficFigures,
  newShare: number,
): TrafficFigures {
  const requests = mixed.requests * newShare;
  if (newShare <= 0 || requests === 0) return { requests: 0, errors: 0, latencyMs: 0 };
  const oldRequests = mixed.requests - requests;
  const errors = Math.max(0, mixed.errors - (oldRequests * rate(older)) / 100);
  const latencyMs = Math.max(
    0,
    (mixed.latencyMs * mixed.requests - older.latencyMs * oldRequests) / requests,
  );
  return { requests: Math.round(requests), errors, latencyMs };
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
