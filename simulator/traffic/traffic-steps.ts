/**
 * Each version's share of user traffic while a share of it bakes and during the rollback window
 * (docs/simulation-guide.md#the-json-report): the report's `trafficSteps`, built from the states the executions
 * entered and the requests each version served, second by second.
 */
import { KEY_STATES, SHIFT_STATES } from '../../lambdas/shared/contract';

/** One state an execution entered, `at` in virtual seconds since the simulation started. */
export interface StateEntry {
  state: string;
  execution: string;
  at: number;
}

/** User requests each version (AMI) served, by virtual second: `served[ami][second]`. */
export type ServedPerSecond = Readonly<Record<string, readonly number[]>>;

export interface TrafficStep {
  execution: string;
  /** The polling loop's state: `Bake new share` or the rollback window's. */
  state: string;
  /** 1 for the execution's first bake, 2 for its second…; `window` for the rollback window. */
  step: number | 'window';
  /** From entering the loop until the execution entered a state outside it (or the simulation ended). */
  fromSecond: number;
  toSecond: number;
  /** User requests a version served in that time (those the load balancer failed itself have none). */
  requests: number;
  /** `share` of `requests`, to 3 decimals. */
  byVersion: Record<string, { served: number; share: number }>;
}

/** The polling loops measured: both are `<name>`, `<name>: check`, `: done?` and `: pause` (polling.ts). */
const LOOPS = [SHIFT_STATES.bake, KEY_STATES.window];
const LOOP_SUFFIXES = ['', ': check', ': done?', ': pause'];

function loopOf(state: string): string | undefined {
  return LOOPS.find((loop) => LOOP_SUFFIXES.some((suffix) => state === `${loop}${suffix}`));
}

/**
 * One entry each time an execution enters a measured loop. The loop lasts until the execution enters a state
 * outside it after the loop's last state (a Parallel's other branch, such as the after-shift hooks beside the
 * window, may enter states meanwhile); an execution still in it at the end counts until `endSecond`. Requests
 * served at second `s` count when `fromSecond <= s < toSecond`: states entered during a second take effect
 * from the next second's requests on.
 */
export function trafficSteps(
  timeline: readonly StateEntry[],
  served: ServedPerSecond,
  endSecond: number,
): TrafficStep[] {
  const byExecution = new Map<string, StateEntry[]>();
  for (const entry of timeline) {
    const entries = byExecution.get(entry.execution) ?? [];
    entries.push(entry);
    byExecution.set(entry.execution, entries);
  }
  const steps: TrafficStep[] = [];
  for (const [execution, entries] of byExecution) {
    let bakes = 0;
    entries.forEach((entry, index) => {
      const loop =
        entry.state === SHIFT_STATES.bake || entry.state === KEY_STATES.window ? entry.state : null;
      if (!loop) return;
      let last = index;
      for (let next = index + 1; next < entries.length && entries[next]?.state !== loop; next++) {
        if (loopOf(entries[next]?.state ?? '') === loop) last = next;
      }
      const fromSecond = entry.at;
      const toSecond = entries[last + 1]?.at ?? endSecond;
      const step = loop === KEY_STATES.window ? 'window' : ++bakes;
      steps.push({
        execution,
        state: loop,
        step,
        fromSecond,
        toSecond,
        ...shares(served, fromSecond, toSecond),
      });
    });
  }
  return steps.sort((a, b) => a.fromSecond - b.fromSecond);
}

function shares(
  served: ServedPerSecond,
  from: number,
  to: number,
): Pick<TrafficStep, 'requests' | 'byVersion'> {
  const counts: [string, number][] = [];
  for (const [version, perSecond] of Object.entries(served)) {
    let count = 0;
    for (let second = Math.max(0, Math.ceil(from)); second < Math.min(to, perSecond.length); second++)
      count += perSecond[second] ?? 0;
    if (count > 0) counts.push([version, count]);
  }
  const requests = counts.reduce((total, [, count]) => total + count, 0);
  const byVersion = Object.fromEntries(
    counts
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([version, count]) => [
        version,
        { served: count, share: Math.round((count / requests) * 1000) / 1000 },
      ]),
  );
  return { requests, byVersion };
}
