/**
 * The Application Load Balancer's production listener: a header rule forwards synthetic requests to the
 * synthetic target group, everything else takes the default action (the main target group, or the weighted
 * target groups ModifyListener gave it). Each response is attributed to the version that produced it, and
 * per-minute metrics feed the CloudWatch alarms.
 */
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SimulatedApplication } from './application';
import type { EnvironmentDescription } from './environment';
import type { Instance } from './instances';
import type { ListenerRules } from './listener-rules';
import type { MetricStore } from './metrics';
import type { TargetGroup } from './target-groups';

export interface AlbRequest {
  path: string;
  headers?: Record<string, string>;
  /** Labels the request for the caller's statistics; routing looks only at the headers, like the ALB. */
  kind?: 'user' | 'synthetic';
}

export type AlbOutcome = 'ok' | 'app-error' | 'failed';

export interface AlbResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** The instance that answered (or was tried). */
  targetId?: string;
  /** AMI id of the version that answered. */
  version?: string;
  outcome: AlbOutcome;
  /** The target group the listener forwarded to. */
  targetGroupArn: string;
  latencyMs: number;
  /** The instance had more work than it serves in a second (capacity.ts): the answer waited or was refused. */
  overCapacity?: boolean;
}

interface LoadBalancerDependencies {
  environment: EnvironmentDescription;
  targetGroup: (arn: string) => TargetGroup;
  instanceById: (id: string) => Instance | undefined;
  app: SimulatedApplication;
  metrics: MetricStore;
  rules: ListenerRules;
  /** Brings the world up to the virtual clock and returns it. */
  advance: () => number;
}

const ELB_HEADERS = { 'content-type': 'text/html', server: 'awselb/2.0' };

export class SimulatedLoadBalancer {
  readonly name: string;
  readonly arn: string;
  readonly dnsName: string;
  private readonly roundRobin = new Map<string, number>();

  constructor(private readonly deps: LoadBalancerDependencies) {
    this.name = deps.environment.loadBalancer.name;
    this.arn = deps.environment.loadBalancer.arn;
    this.dnsName = deps.environment.loadBalancer.dnsName;
  }

  /**
   * Which target group the listener forwards the next request with these headers to (its rules, by
   * priority, then the default action's next weighted choice), without routing it.
   */
  targetGroupFor(headers: Record<string, string> = {}): string | undefined {
    return this.deps.rules.targetGroupFor(headers);
  }

  get listenerArn(): string {
    return this.deps.rules.listenerArn;
  }

  /** The listener's default actions as DescribeListeners returns them (for the invariant monitor, reports). */
  defaultActions(): Action[] {
    return this.deps.rules.defaultActions();
  }

  request(request: AlbRequest): AlbResponse {
    const now = this.deps.advance();
    const { metrics, rules } = this.deps;
    const routed = rules.route(request.headers ?? {});
    if (routed.targetGroupArn === undefined) {
      // docs/aws-facts/load-balancer-targets.md#weighted-forward-actions: every weight 0 (UNCONFIRMED: 503
      // from the load balancer, attributed to the action's first target group).
      metrics.record(this.arn, 'HTTPCode_ELB_5XX_Count', 1, now);
      return this.elbError(503, 'Service Temporarily Unavailable', rules.firstDefaultTargetGroup());
    }
    const { targetGroupArn } = routed;
    const targetGroup = this.deps.targetGroup(targetGroupArn);
    const targets = targetGroup.routableTargets();
    if (targets.length === 0) {
      // docs/aws-facts/load-balancer-targets.md#routing: no registered targets (or only draining ones) → 503
      // from the load balancer itself; a weighted choice does not fall back to another target group
      // (docs/aws-facts/load-balancer-targets.md#weighted-forward-actions, UNCONFIRMED).
      metrics.record(this.arn, 'HTTPCode_ELB_5XX_Count', 1, now);
      return this.elbError(503, 'Service Temporarily Unavailable', targetGroupArn);
    }
    const index = this.roundRobin.get(targetGroupArn) ?? 0;
    this.roundRobin.set(targetGroupArn, index + 1);
    const targetId = targets[index % targets.length] as string;
    const instance = this.deps.instanceById(targetId);
    metrics.record(targetGroupArn, 'RequestCount', 1, now);
    // User traffic: what the default action sends anywhere, and what reaches the main target group.
    if (instance && (routed.byDefault || targetGroupArn === this.deps.environment.mainTargetGroup.arn)) {
      this.deps.app.markServedUserTraffic(instance.amiId, now);
    }
    const answer = instance ? this.deps.app.answer(instance, request.path, now) : undefined;
    if (!answer) {
      // Nothing answers on the target (booting, hung or shut down): the ALB reports a bad gateway.
      metrics.record(this.arn, 'HTTPCode_ELB_5XX_Count', 1, now);
      return { ...this.elbError(502, 'Bad Gateway', targetGroupArn), targetId };
    }
    metrics.record(targetGroupArn, 'TargetResponseTime', answer.latencyMs / 1000, now);
    if (answer.status >= 500) metrics.record(targetGroupArn, 'HTTPCode_Target_5XX_Count', 1, now);
    return {
      status: answer.status,
      body: answer.body,
      headers: { ...answer.headers },
      targetId,
      version: instance?.amiId,
      outcome: answer.status >= 500 ? 'app-error' : 'ok',
      targetGroupArn,
      latencyMs: answer.latencyMs,
      ...(answer.overCapacity ? { overCapacity: true } : {}),
    };
  }

  private elbError(status: number, text: string, targetGroupArn: string): AlbResponse {
    return {
      status,
      body: `<html><head><title>${status} ${text}</title></head><body><center><h1>${status} ${text}</h1></center></body></html>`,
      headers: { ...ELB_HEADERS },
      outcome: 'failed',
      targetGroupArn,
      latencyMs: 0,
    };
  }
}
