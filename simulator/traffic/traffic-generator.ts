/**
 * User traffic through the simulated ALB, one simulated second at a time. Every response is attributed to
 * the version that served it; failed requests are counted and kept, because zero failed user requests is
 * the observable form of "zero downtime".
 */
import type { SimulatedAccount } from '../account/account';
import { Random } from '../account/random';

export interface TrafficGeneratorOptions {
  /** May be fractional: the remainder carries over to the next second. */
  requestsPerSecond: number;
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
  byVersion: Record<string, { served: number; appErrors: number }>;
}

export interface TrafficFailure {
  at: number;
  status: number;
  reason: string;
}

const DEFAULT_PATHS = ['/', '/products', '/api/items', '/api/cart', '/about'];

export class TrafficGenerator {
  readonly stats: TrafficStats = { total: 0, failed: 0, appErrors: 0, byVersion: {} };
  readonly failures: TrafficFailure[] = [];
  private carry = 0;
  private readonly random: Random;
  private readonly paths: string[];
  private readonly maxFailuresKept: number;

  constructor(
    private readonly account: SimulatedAccount,
    private readonly options: TrafficGeneratorOptions,
  ) {
    if (!(options.requestsPerSecond >= 0)) throw new Error('requestsPerSecond must be ≥ 0');
    // Its own stream: the generator's choices depend on nothing but its seed.
    this.random = new Random(options.seed ?? 1);
    this.paths = options.paths?.length ? options.paths : DEFAULT_PATHS;
    this.maxFailuresKept = options.maxFailuresKept ?? 10_000;
  }

  /** Send this second's user requests. */
  tick(): void {
    this.carry += this.options.requestsPerSecond;
    const count = Math.floor(this.carry);
    this.carry -= count;
    for (let i = 0; i < count; i++) this.send();
  }

  private send(): void {
    const path = this.paths[this.random.int(this.paths.length)] as string;
    const response = this.account.alb.request({ path, kind: 'user' });
    this.stats.total++;
    if (response.version !== undefined) {
      const version = (this.stats.byVersion[response.version] ??= { served: 0, appErrors: 0 });
      version.served++;
      if (response.outcome === 'app-error') version.appErrors++;
    }
    if (response.outcome === 'app-error') this.stats.appErrors++;
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
