/**
 * The reference application as it runs on each instance: answers with its version and instance id, and
 * misbehaves as its AMI's `VersionBehaviour` says. The ALB's request routing and its health checker both
 * go through here, so a broken version fails health checks and user requests alike.
 */
import { DEFAULT_CAPACITY, InstanceLoads, type CapacitySettings } from './capacity';
import type { HealthCheckDescription, VersionBehaviour } from './environment';
import { isRunning, type Instance } from './instances';
import type { Random } from './random';

const HEALTH_PATH = '/health';
const DEFAULT_LATENCY_MS = 20;
const NO_BEHAVIOUR: VersionBehaviour = {};
const PASSED = { ok: true } as const;

export interface AppAnswer {
  status: number;
  latencyMs: number;
  body: string;
  headers: Record<string, string>;
  /** The instance had more work than it serves in a second: the answer waited, or was refused (503). */
  overCapacity?: boolean;
}

export type HealthCheckResult =
  | { ok: true }
  | {
      ok: false;
      reason: 'Target.Timeout' | 'Target.FailedHealthChecks' | 'Target.ResponseCodeMismatch';
      description: string;
    };

export class SimulatedApplication {
  private readonly behaviours = new Map<string, VersionBehaviour>();
  private readonly firstServedUsers = new Map<string, number>();
  private readonly bodies = new Map<string, string>();
  private readonly loads = new InstanceLoads();
  private readonly capacity: Required<CapacitySettings>;

  constructor(
    private readonly random: Random,
    capacity: CapacitySettings = {},
  ) {
    this.capacity = { ...DEFAULT_CAPACITY, ...capacity };
  }

  setBehaviour(amiId: string, behaviour: VersionBehaviour): void {
    this.behaviours.set(amiId, { ...behaviour });
  }

  /**
   * The first user request a version serves (through the main target group, or any target group the
   * listener's default action weights) starts its "after shift" clock.
   */
  markServedUserTraffic(amiId: string, now: number): void {
    if (!this.firstServedUsers.has(amiId)) this.firstServedUsers.set(amiId, now);
  }

  /** The app's answer, or undefined when nothing answers (not booted, shut down, or hung). */
  answer(instance: Instance, path: string, now: number): AppAnswer | undefined {
    const reply = this.reply(instance, path, now);
    if (!reply) return undefined;
    // Requests routed by the load balancer load the instance (capacity.ts); its health checks do not.
    const admission = this.loads.admit(
      instance.id,
      now,
      this.capacityOf(instance),
      this.capacity.maxQueueSeconds,
    );
    if (admission.refused) {
      return {
        status: 503,
        latencyMs: reply.latencyMs,
        body: JSON.stringify({
          error: 'Service Unavailable',
          version: instance.amiId,
          instance: instance.id,
        }),
        headers: { 'content-type': 'application/json', 'x-app-version': instance.amiId },
        overCapacity: true,
      };
    }
    const key = `${instance.id}:${reply.status}`;
    let body = reply.body ?? this.bodies.get(key);
    if (body === undefined) {
      const identity = { version: instance.amiId, instance: instance.id };
      body = JSON.stringify(
        reply.status === 200 ? identity : { error: 'Internal Server Error', ...identity },
      );
      this.bodies.set(key, body);
    }
    return {
      ...reply,
      latencyMs: reply.latencyMs + admission.waitMs,
      body,
      headers: { 'content-type': 'application/json', 'x-app-version': instance.amiId },
      ...(admission.overCapacity ? { overCapacity: true } : {}),
    };
  }

  /** Requests per second the instance serves without queueing: its version's, or the environment's. */
  capacityOf(instance: Instance): number {
    return this.behaviours.get(instance.amiId)?.capacityPerInstance ?? this.capacity.capacityPerInstance;
  }

  /**
   * The instance's CPU utilization over the last whole second, in percent: the share of its capacity its
   * requests used (the simple model of docs/simulation-guide.md#load-and-capacity).
   */
  cpuUtilization(instance: Instance, now: number): number {
    return this.loads.utilization(instance.id, now, this.capacityOf(instance));
  }

  /** One ALB health check against the instance, judged with the target group's settings. */
  healthCheck(instance: Instance, settings: HealthCheckDescription, now: number): HealthCheckResult {
    if (!isRunning(instance, now)) {
      // Nothing listens yet (or any more): the connection is refused.
      return { ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };
    }
    const reply = this.reply(instance, settings.path, now);
    if (!reply || reply.latencyMs > settings.timeoutSeconds * 1000) {
      return { ok: false, reason: 'Target.Timeout', description: 'Request timed out' };
    }
    if (!matchesHttpCode(settings.matcherHttpCode, reply.status)) {
      return {
        ok: false,
        reason: 'Target.ResponseCodeMismatch',
        description: `Health checks failed with these codes: [${reply.status}]`,
      };
    }
    return PASSED;
  }

  /**
   * Status and timing, and the body only where a path behaviour gives one: health checks run often enough
   * that building bodies for them would show.
   */
  private reply(
    instance: Instance,
    path: string,
    now: number,
  ): { status: number; latencyMs: number; body?: string } | undefined {
    if (!isRunning(instance, now)) return undefined;
    const behaviour = this.behaviours.get(instance.amiId) ?? NO_BEHAVIOUR;
    if (behaviour.failHealthChecks) return undefined;
    const query = path.indexOf('?');
    const pathname = query < 0 ? path : path.slice(0, query);
    const own = behaviour.paths?.[pathname];
    const latencyMs = own?.latencyMs ?? behaviour.latencyMs ?? DEFAULT_LATENCY_MS;
    const status = own?.status ?? (this.fails(behaviour, instance, pathname, now) ? 500 : 200);
    return { status, latencyMs, body: own?.body };
  }

  /** The version's own failures: every path but `/health` (failSyntheticChecks), or its error rate. */
  private fails(behaviour: VersionBehaviour, instance: Instance, pathname: string, now: number): boolean {
    return (
      pathname !== HEALTH_PATH &&
      (behaviour.failSyntheticChecks === true || this.isApplicationError(behaviour, instance, now))
    );
  }

  private isApplicationError(behaviour: VersionBehaviour, instance: Instance, now: number): boolean {
    const rate = behaviour.errorRate ?? 0;
    if (rate <= 0) return false;
    if (behaviour.errorsFromMinuteAfterShift !== undefined) {
      const shiftedAt = this.firstServedUsers.get(instance.amiId);
      if (shiftedAt === undefined || now < shiftedAt + behaviour.errorsFromMinuteAfterShift * 60_000)
        return false;
    }
    return this.random.chance(rate);
  }
}

/** ALB matcher syntax: "200", "200,202", "200-299". */
export function matchesHttpCode(matcher: string, status: number): boolean {
  let ranges = parsedMatchers.get(matcher);
  if (!ranges) {
    ranges = matcher.split(',').map((part) => {
      const [low, high] = part.trim().split('-').map(Number);
      return [low ?? NaN, high ?? low ?? NaN] as const;
    });
    parsedMatchers.set(matcher, ranges);
  }
  return ranges.some(([low, high]) => status >= low && status <= high);
}

const parsedMatchers = new Map<string, (readonly [number, number])[]>();
