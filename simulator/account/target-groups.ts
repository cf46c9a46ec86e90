/**
 * The data plane of the ALB's target groups: registration, health checks on the target group's own
 * timing and thresholds, and draining. The control plane (who gets registered when) is Auto Scaling's.
 */
import type { SimulatedApplication } from './application';
import type { HealthCheckDescription, TargetGroupDescription } from './environment';
import type { Instance } from './instances';

// docs/aws-facts/load-balancer-targets.md#target-health-states: target states and reason codes.
export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';
export type TargetReason =
  | 'Elb.RegistrationInProgress'
  | 'Elb.InitialHealthChecking'
  | 'Target.ResponseCodeMismatch'
  | 'Target.Timeout'
  | 'Target.FailedHealthChecks'
  | 'Target.DeregistrationInProgress';

/**
 * UNCONFIRMED: AWS does not document how long `Elb.RegistrationInProgress` lasts; the first health check
 * is modelled this many seconds after registration.
 */
export const REGISTRATION_SECONDS = 5;

const DESCRIPTIONS: Record<TargetReason, string> = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  'Target.ResponseCodeMismatch': 'Health checks failed',
  'Target.Timeout': 'Request timed out',
  'Target.FailedHealthChecks': 'Health checks failed',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
};

export interface Target {
  readonly id: string;
  state: TargetState;
  reason?: TargetReason;
  description?: string;
  readonly registeredAt: number;
  nextCheckAt: number;
  /** Consecutive passed checks since the last failure (and vice versa). */
  passes: number;
  failures: number;
  drainingUntil?: number;
}

export class TargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly healthCheck: HealthCheckDescription;
  deregistrationDelaySeconds: number;
  readonly targets = new Map<string, Target>();
  /** Ids of the targets currently `unhealthy`, so Auto Scaling need not scan every target each second. */
  readonly unhealthyIds = new Set<string>();
  healthyCount = 0;
  unhealthyCount = 0;
  private revision = 0;
  private routingRevision = -1;
  private routing: { healthy: string[]; failOpen: string[] } = { healthy: [], failOpen: [] };

  constructor(description: TargetGroupDescription) {
    this.arn = description.arn;
    this.name = description.name;
    this.healthCheck = { ...description.healthCheck };
    this.deregistrationDelaySeconds = description.deregistrationDelaySeconds;
  }

  /** Registered and not draining. */
  isRegistered(instanceId: string): boolean {
    const target = this.targets.get(instanceId);
    return target !== undefined && target.state !== 'draining';
  }

  register(instanceId: string, now: number): void {
    if (this.isRegistered(instanceId)) return; // RegisterTargets is idempotent.
    this.targets.set(instanceId, {
      id: instanceId,
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
      description: DESCRIPTIONS['Elb.RegistrationInProgress'],
      registeredAt: now,
      nextCheckAt: now + REGISTRATION_SECONDS * 1000,
      passes: 0,
      failures: 0,
    });
    this.revision++;
  }

  /** A target that is already serving, as the simulation starts in steady state. */
  registerHealthy(instanceId: string, now: number, firstCheckAt: number): void {
    this.targets.set(instanceId, {
      id: instanceId,
      state: 'healthy',
      registeredAt: now,
      nextCheckAt: firstCheckAt,
      passes: this.healthCheck.healthyThresholdCount,
      failures: 0,
    });
    this.revision++;
  }

  /**
   * docs/aws-facts/load-balancer-targets.md#deregistration-delay: a deregistered target drains for the
   * deregistration delay, receiving no new requests.
   */
  deregister(instanceId: string, now: number): void {
    const target = this.targets.get(instanceId);
    if (!target || target.state === 'draining') return;
    this.revision++;
    this.unhealthyIds.delete(instanceId);
    if (this.deregistrationDelaySeconds <= 0) {
      this.targets.delete(instanceId);
      return;
    }
    target.state = 'draining';
    target.reason = 'Target.DeregistrationInProgress';
    target.description = DESCRIPTIONS['Target.DeregistrationInProgress'];
    target.drainingUntil = now + this.deregistrationDelaySeconds * 1000;
  }

  /** When a draining target will be gone (undefined when it is not draining). */
  drainingUntil(instanceId: string): number | undefined {
    return this.targets.get(instanceId)?.drainingUntil;
  }

  /** Run the health checks that are due and finish draining; called once per simulated second. */
  step(now: number, app: SimulatedApplication, instanceById: (id: string) => Instance | undefined): void {
    let healthy = 0;
    let unhealthy = 0;
    const intervalMs = this.healthCheck.intervalSeconds * 1000;
    for (const target of this.targets.values()) {
      if (target.state === 'draining') {
        if (target.drainingUntil !== undefined && now >= target.drainingUntil) {
          this.targets.delete(target.id);
          this.revision++;
        }
        continue;
      }
      while (target.nextCheckAt <= now) {
        this.check(target, app, instanceById(target.id), now);
        target.nextCheckAt += intervalMs;
      }
      // UnHealthyHostCount counts the targets "considered unhealthy": one in `initial` (registering, or still
      // in its first checks) is not (docs/aws-facts/scaling-policies.md#unhealthyhostcount-and-initial-targets).
      if (target.state === 'healthy') healthy++;
      else if (target.state === 'unhealthy') unhealthy++;
    }
    this.healthyCount = healthy;
    this.unhealthyCount = unhealthy;
  }

  /**
   * Targets a new request may go to (docs/aws-facts/load-balancer-targets.md#routing): only healthy ones;
   * with none healthy the ALB fails open to every registered target; draining targets never get new requests.
   */
  routableTargets(): string[] {
    if (this.routingRevision !== this.revision) {
      const healthy: string[] = [];
      const failOpen: string[] = [];
      for (const target of this.targets.values()) {
        if (target.state === 'draining') continue;
        failOpen.push(target.id);
        if (target.state === 'healthy') healthy.push(target.id);
      }
      this.routing = { healthy, failOpen };
      this.routingRevision = this.revision;
    }
    return this.routing.healthy.length > 0 ? this.routing.healthy : this.routing.failOpen;
  }

  private check(
    target: Target,
    app: SimulatedApplication,
    instance: Instance | undefined,
    now: number,
  ): void {
    const result = instance
      ? app.healthCheck(instance, this.healthCheck, now)
      : ({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' } as const);
    const before = target.state;
    if (result.ok) {
      target.failures = 0;
      target.passes++;
      // docs/aws-facts/load-balancer-targets.md#health-checks: a newly registered target needs one passed
      // check; an unhealthy one HealthyThresholdCount.
      const needed = target.state === 'initial' ? 1 : this.healthCheck.healthyThresholdCount;
      if (target.state !== 'healthy' && target.passes >= needed) {
        target.state = 'healthy';
        this.unhealthyIds.delete(target.id);
        target.reason = undefined;
        target.description = undefined;
      } else if (target.state === 'initial') {
        target.reason = 'Elb.InitialHealthChecking';
        target.description = DESCRIPTIONS['Elb.InitialHealthChecking'];
      }
    } else {
      target.passes = 0;
      target.failures++;
      if (target.state === 'unhealthy' || target.failures >= this.healthCheck.unhealthyThresholdCount) {
        // docs/aws-facts/load-balancer-targets.md#health-checks: UnhealthyThresholdCount consecutive failures
        // make a target unhealthy.
        target.state = 'unhealthy';
        this.unhealthyIds.add(target.id);
        target.reason = result.reason;
        target.description = result.description;
      } else if (target.state === 'initial') {
        target.reason = 'Elb.InitialHealthChecking';
        target.description = DESCRIPTIONS['Elb.InitialHealthChecking'];
      }
    }
    if (target.state !== before) this.revision++;
  }
}
