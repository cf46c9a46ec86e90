/**
 * User traffic through the simulated ALB, one simulated second at a time. Every response is attributed to
 * the version that served it; failed requests are counted and kept, because zero failed user requests is
 * the observable form of "zero downtime".
 */
import type { SimulatedAccount } from '../account/account';
import { Random } from '../account/random';
import { checkProfile, rateAt, type TrafficProfile } from './profiles';
import type { ServedPerSecond } from './traffic-steps';

/** A request slower than this that waited on an instance over capacity is a capacity error (default). */
export const DEFAULT_LATENCY_BOUND_MS = 1000;

export interface TrafficGeneratorOptions {
  /** May be fractional: the remainder carries over to the next second. Ignored when `profile` is given. */
  requestsPerSecond?: number;
  /** How the rate changes over the simulation (profiles.ts); default constant at `requestsPerSecond`. */
  profile?: TrafficProfile;
  /**
   * A request its instance answered over capacity (capacity.ts) with a 5xx, or slower than this, counts as a
   * capacity error, not as an application error (default 1000 ms).
   */
  latencyBoundMs?: number;
  seed?: number;
  /** Paths users request (default a small mix of pages and API calls). */
  paths?: string[];
  /** At most this many failures are kept in `failures` (all are counted in `stats`). Default 10,000. */
  maxFailuresKept?: number;
}

export interface TrafficStats {
  total: number;
  failed: number;
  appErrors: number;
  /** Requests refused or too slow because their instance was over capacity (not `failed`, not `appErrors`). */
  capacityErrors: number;
  byVersion: Record<string, { served: number; appErrors: number }>;
}

export interface TrafficFailure {
  at: number;
  status: number;
  reason: string;
}

const DEFAULT_PATHS = ['/', '/products', '/api/items', '/api/cart', '/about'];

export class TrafficGenerator {
  readonly stats: TrafficStats = { total: 0, failed: 0, appErrors: 0, capacityErrors: 0, byVersion: {} };
  readonly failures: TrafficFailure[] = [];
  private carry = 0;
  private readonly random: Random;
  private readonly paths: string[];
  private readonly maxFailuresKept: number;
  private readonly profile: TrafficProfile;
  private readonly latencyBoundMs: number;
  private readonly startedAt = Date.now();
  /** Requests each version served, by second since the generator started (for the report's trafficSteps). */
  private readonly perSecond: Record<string, number[]> = {};

  constructor(
    private readonly account: SimulatedAccount,
    options: TrafficGeneratorOptions,
  ) {
    this.profile = options.profile ?? {
      kind: 'constant',
      requestsPerSecond: options.requestsPerSecond ?? NaN,
    };
    checkProfile(this.profile);
    this.latencyBoundMs = options.latencyBoundMs ?? DEFAULT_LATENCY_BOUND_MS;
    // Its own stream: the generator's choices depend on nothing but its seed.
    this.random = new Random(options.seed ?? 1);
    this.paths = options.paths?.length ? options.paths : DEFAULT_PATHS;
    this.maxFailuresKept = options.maxFailuresKept ?? 10_000;
  }

  /** Send this second's user requests. */
  tick(): void {
    this.carry += rateAt(this.profile, (Date.now() - this.startedAt) / 1000);
    const count = Math.floor(this.carry);
    this.carry -= count;
    for (let i = 0; i < count; i++) this.send();
  }

  /** What each version served, second by second since the generator started (traffic-steps.ts). */
  servedPerSecond(): ServedPerSecond {
    return this.perSecond;
  }

  private countServed(version: string): void {
    const second = Math.floor((Date.now() - this.startedAt) / 1000);
    const counts = (this.perSecond[version] ??= []);
    while (counts.length <= second) counts.push(0);
    counts[second] = (counts[second] ?? 0) + 1;
  }

  private send(): void {
    const path = this.paths[this.random.int(this.paths.length)] as string;
    const response = this.account.alb.request({ path, kind: 'user' });
    this.stats.total++;
    // Over capacity, a refusal or a wait past the bound is the fleet's size at fault, not the version.
    const capacityError =
      response.overCapacity === true && (response.status >= 500 || response.latencyMs > this.latencyBoundMs);
    const appError = response.outcome === 'app-error' && !capacityError;
    if (response.version !== undefined) {
      const version = (this.stats.byVersion[response.version] ??= { served: 0, appErrors: 0 });
      version.served++;
      this.countServed(response.version);
      if (appError) version.appErrors++;
    }
    if (appError) this.stats.appErrors++;
    if (capacityError) this.stats.capacityErrors++;
    if (response.outcome === 'failed') {
      this.stats.failed++;
      if (this.failures.length < this.maxFailuresKept) {
        this.failures.push({
          at: Date.now(),
          status: response.status,
          reason: reasonFor(response.status, response.targetId),
        });
      }
    }
  }
}

function reasonFor(status: number, targetId: string | undefined): string {
  if (status === 503) return 'no registered targets in the target group (503 from the load balancer)';
  if (status === 502) return `target ${targetId ?? '?'} did not answer (502 from the load balancer)`;
  return `load balancer answered ${status}`;
}
