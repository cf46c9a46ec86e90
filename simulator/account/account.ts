// Over 250 lines: the composition root of the simulated account: it builds every service model, wires their calls, clock and faults, seeds the groups, and advances the world second by second.
/**
 * The simulated AWS account: one object that owns the world (groups, instances, target groups, alarms),
 * serves the SDK v3 clients of the real Lambda handlers (through api-calls.ts), and advances on the
 * virtual clock (`Date.now()` under fake timers). It never schedules timers of its own: `tick()` (and any
 * API call or request) brings the world up to the clock, one simulated second at a time.
 */
import { ApiCalls, type FaultOptions } from './api-calls';
import { SimulatedApplication } from './application';
import { AutoScaling } from './auto-scaling';
import { AutoScalingGroupState, type ScalingProcess } from './auto-scaling-group';
import { Fleet } from './auto-scaling-groups';
import { CloudWatch, type AlarmStateChangeEvent } from './cloudwatch';
import { Ec2 } from './ec2';
import { AmiLifecycle } from './ec2-images';
import type { BusEvent, Delivery, EventRule, StartExecution } from './event-rules';
import { EventBridge, type PublishedEvent } from './eventbridge';
import { ElasticLoadBalancing } from './elb';
import type { EnvironmentDescription, VersionBehaviour } from './environment';
import type { ServiceName } from './errors';
import { accountLookups } from './iam/account-lookups';
import type { AccountLookups } from './iam/authorization';
import { InstanceProfiles } from './iam/instance-profiles';
import { ImageBuilder } from './image-builder';
import type { Instance } from './instances';
import { ListenerRules } from './listener-rules';
import { fetchThroughAlb } from './alb-fetch';
import { SimulatedLoadBalancer } from './load-balancer';
import { MetricStore } from './metrics';
import { Random } from './random';
import type { Route } from './router';
import { ScalingPolicies } from './scaling-policies';
import { snapshotOf, type AccountSnapshot } from './snapshot';
import { Sns, type PublishedMessage } from './sns';
import { TargetGroup } from './target-groups';

export { SDK_MAX_ATTEMPTS, type FaultOptions, type LostAnswer } from './api-calls';
export type { AccountSnapshot } from './snapshot';

export interface AccountOptions {
  seed?: number;
  faults?: FaultOptions;
}

/** A clock that jumps further than this is a setup mistake (fake timers installed after the account). */
const MAX_CATCH_UP_MS = 30 * 24 * 3600 * 1000;

export class SimulatedAccount {
  readonly environment: EnvironmentDescription;
  readonly alb: SimulatedLoadBalancer;
  readonly apiCalls: { total: number; byOperation: Record<string, number> } = { total: 0, byOperation: {} };
  readonly publishedMessages: PublishedMessage[];
  /** The events the default EventBridge bus accepted, in order (the deployment's milestones). */
  readonly publishedEvents: readonly PublishedEvent[];
  onApiCall?: (operation: string, input: unknown) => void;
  /** Told of every attempt that took effect (its answer may still be lost), after the change was made. */
  onApplied?: (operation: string, input: unknown) => void;
  faults: FaultOptions;

  private clock: number;
  private readonly random: { ids: Random; faults: Random; requests: Random };
  private readonly registry = new Map<string, Instance>();
  private readonly targetGroups = new Map<string, TargetGroup>();
  private readonly app: SimulatedApplication;
  private readonly metrics = new MetricStore();
  private readonly ec2: Ec2;
  private readonly fleet: Fleet;
  private readonly cloudWatch: CloudWatch;
  private readonly sns: Sns;
  private readonly eventBridge: EventBridge;
  private readonly amis: AmiLifecycle;
  private readonly imageBuilder: ImageBuilder;
  private readonly lookups: AccountLookups;
  private readonly calls: ApiCalls;
  /** The groups' target tracking policies (scaling-policies.ts), and what they did (`actions`). */
  readonly scalingPolicies: ScalingPolicies;

  constructor(environment: EnvironmentDescription, options: AccountOptions = {}) {
    this.environment = structuredClone(environment);
    this.faults = { ...options.faults };
    this.clock = Date.now();
    const now = (): number => Date.now();
    const root = new Random(options.seed ?? 1);
    this.random = { ids: root.fork('ids'), faults: root.fork('faults'), requests: root.fork('requests') };
    this.app = new SimulatedApplication(root.fork('application'), environment.capacity);
    const env = this.environment;
    for (const ami of env.amis) if (ami.behaviour) this.app.setBehaviour(ami.id, ami.behaviour);
    for (const description of [
      env.mainTargetGroup,
      env.syntheticTargetGroup,
      ...(env.otherTargetGroups ?? []),
    ]) {
      this.targetGroups.set(description.arn, new TargetGroup(description));
    }

    this.ec2 = new Ec2(env, now);
    this.fleet = new Fleet({
      ec2: this.ec2,
      targetGroup: (arn) => this.targetGroups.get(arn),
      allTargetGroups: () => this.targetGroups.values(),
      registry: this.registry,
      ids: this.random.ids,
      bootSeconds: env.bootSeconds,
    });
    this.seedGroups();
    this.cloudWatch = new CloudWatch(env, this.metrics, now);
    this.sns = new Sns(this.random.requests);
    this.publishedMessages = this.sns.published;
    this.eventBridge = new EventBridge({
      region: env.region,
      accountId: env.accountId,
      ids: root.fork('events'),
      now,
      failEntry: (call, index) => this.faults.failEventEntry?.(call, index) ?? false,
    });
    this.publishedEvents = this.eventBridge.published;
    const emit = this.eventBridge.emit.bind(this.eventBridge);
    this.amis = new AmiLifecycle({
      images: this.ec2.images,
      region: env.region,
      startedAt: this.ec2.startedAt,
      now,
      ids: root.fork('amis'),
      tagsOf: (image) => this.ec2.tagsOf(image),
      emit,
      // A copy runs what its source runs.
      copied: (sourceId, copyId) => {
        const behaviour = this.ec2.images.get(sourceId)?.behaviour;
        if (behaviour) this.app.setBehaviour(copyId, behaviour);
      },
    });
    this.imageBuilder = new ImageBuilder({
      images: env.imageBuilderImages ?? [],
      amis: this.ec2.images,
      describedAmis: env.amis,
      region: env.region,
      accountId: env.accountId,
      startedAt: this.ec2.startedAt,
      emit,
    });
    const rules = new ListenerRules(env);
    this.alb = new SimulatedLoadBalancer({
      rules,
      environment: env,
      targetGroup: (arn) => this.targetGroups.get(arn) as TargetGroup,
      instanceById: (id) => this.registry.get(id),
      app: this.app,
      metrics: this.metrics,
      advance: () => this.advance(),
    });

    const autoScaling = new AutoScaling({
      fleet: this.fleet,
      ec2: this.ec2,
      now,
      targetGroupExists: (arn) => this.targetGroups.has(arn),
    });
    const elb = new ElasticLoadBalancing({
      environment: env,
      targetGroups: this.targetGroups,
      registry: this.registry,
      now,
      rules,
    });
    this.scalingPolicies = new ScalingPolicies({
      environment: env,
      groups: this.fleet.groups,
      metrics: this.metrics,
      ids: root.fork('scaling-policies'),
      cpuUtilization: (instance, at) => this.app.cpuUtilization(instance, at),
      setDesired: (group, desired) => this.fleet.setDesiredCapacity(group, desired),
    });
    const services: [ServiceName, Route[]][] = [
      ['autoscaling', autoScaling.routes()],
      ['ec2', this.ec2.routes()],
      ['ec2', this.amis.routes()],
      ['imagebuilder', this.imageBuilder.routes()],
      ['elasticloadbalancing', elb.routes()],
      ['cloudwatch', this.cloudWatch.routes()],
      ['sns', this.sns.routes()],
      ['events', this.eventBridge.routes()],
      ['iam', new InstanceProfiles(env.instanceProfiles ?? []).routes()],
      ['autoscaling', this.scalingPolicies.routes()],
    ];
    this.lookups = accountLookups({ environment: env, ec2: this.ec2, groups: this.fleet.groups });
    this.calls = new ApiCalls(
      {
        faults: () => this.faults,
        apiCalls: this.apiCalls,
        onApiCall: (operation, input) => this.onApiCall?.(operation, input),
        onApplied: (operation, input) => this.onApplied?.(operation, input),
        authorizationView: this.lookups,
        advance: () => this.advance(),
      },
      services,
      this.random,
    );
  }

  /** What the authorizer reads of the account (every call made as a step is authorized, see `iam/`). */
  get authorizationView(): AccountLookups {
    return this.lookups;
  }

  /**
   * Start serving the Auto Scaling, EC2, ELBv2, CloudWatch, SNS, EventBridge, IAM and Image Builder clients, and any service it
   * was asked to `serve`.
   */
  install(): void {
    this.calls.install();
  }

  uninstall(): void {
    this.calls.uninstall();
  }

  /** Serve another service's routes through this account's calls (faults, authorization, records). */
  serve(service: ServiceName, routes: Route[]): void {
    this.calls.serve(service, routes);
  }

  /** Advance the world to `Date.now()`. */
  tick(): void {
    this.advance();
  }

  setVersionBehaviour(amiId: string, behaviour: VersionBehaviour): void {
    this.app.setBehaviour(amiId, behaviour);
  }

  setFaults(faults: FaultOptions): void {
    this.faults = { ...faults };
  }

  /**
   * The default bus's rules (e.g. the synthesized template's, `SynthesizedWorkflow.rules`): from now on every
   * event the bus receives is matched against them, and a state machine target is started through
   * `startExecution`, as the target's role (event-rules.ts).
   */
  setEventRules(rules: readonly EventRule[], startExecution: StartExecution): void {
    this.eventBridge.rules.set(rules, startExecution);
  }

  /**
   * The account owner's release pipeline finishes a build now: the `pending` AMI becomes available, with its
   * "EC2 AMI State Change" event; its tags come `tagsAfterSeconds` later when given (ec2-images.ts).
   */
  publishImage(amiId: string, tagsAfterSeconds?: number): void {
    this.advance();
    this.amis.publish(amiId, tagsAfterSeconds);
  }

  /**
   * The account owner's EC2 Image Builder pipeline completes an image the environment gives no time: it
   * becomes AVAILABLE `afterSeconds` from now, with its event then (image-builder.ts).
   */
  completeImage(arn: string, afterSeconds = 0): void {
    this.imageBuilder.complete(arn, this.advance(), afterSeconds);
  }

  /** Every target a rule sent an event to, or failed to, in order. */
  get eventDeliveries(): readonly Delivery[] {
    return this.eventBridge.rules.deliveries;
  }

  /** The events AWS services (EC2, Image Builder) sent to the default bus, in order. */
  get serviceEvents(): readonly BusEvent[] {
    return this.eventBridge.serviceEvents;
  }

  /** The "CloudWatch Alarm State Change" events CloudWatch would have sent to EventBridge, in order. */
  get alarmStateChangeEvents(): readonly AlarmStateChangeEvent[] {
    return this.cloudWatch.stateChangeEvents;
  }

  /** A drop-in for `globalThis.fetch` that reaches only the simulated ALB (there is no network). */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    return fetchThroughAlb(this.alb, this.environment.syntheticTargetGroup.arn, input, init);
  }

  snapshot(): AccountSnapshot {
    return snapshotOf(this.advance(), {
      groups: this.fleet.groups,
      targetGroups: this.targetGroups.values(),
      listener: { arn: this.alb.listenerArn, defaultActions: this.alb.defaultActions() },
      alarms: this.cloudWatch.states(),
      snsMessages: this.sns.published.length,
      events: this.eventBridge.published.length,
    });
  }

  private seedGroups(): void {
    const env = this.environment;
    const now = this.clock;
    for (const description of Object.values(env.groups)) {
      const arn = `arn:aws:autoscaling:${env.region}:${env.accountId}:autoScalingGroup:${this.random.ids.uuid()}:autoScalingGroupName/${description.name}`;
      const group = new AutoScalingGroupState(description, arn, now);
      this.fleet.groups.set(group.name, group);
      for (const process of description.suspendedProcesses ?? []) {
        group.suspended.set(process as ScalingProcess, 'User suspended at the start of the simulation');
      }
      for (const targetGroupArn of description.attachedTargetGroups) {
        if (!this.targetGroups.has(targetGroupArn)) throw new Error(`Unknown target group ${targetGroupArn}`);
        group.trafficSources.set(targetGroupArn, {
          identifier: targetGroupArn,
          type: 'elbv2',
          state: 'InService',
          since: now,
        });
      }
      if (group.desired < group.min || group.desired > group.max) {
        throw new Error(
          `Group ${group.name}: desired ${group.desired} is outside [${group.min}, ${group.max}]`,
        );
      }
      for (let i = 0; i < group.desired; i++) {
        const instance = this.fleet.seedInService(group, now);
        if (description.attachedTargetGroups.includes(env.mainTargetGroup.arn))
          this.app.markServedUserTraffic(instance.amiId, now);
      }
      this.fleet.seedWarmPool(group, now);
    }
  }

  /** Runs every whole simulated second up to the clock; returns the clock. */
  private advance(): number {
    const now = Date.now();
    if (now - this.clock > MAX_CATCH_UP_MS) {
      throw new Error(
        'The virtual clock jumped by more than 30 days: create the SimulatedAccount after installing fake timers.',
      );
    }
    while (this.clock + 1000 <= now) {
      this.clock += 1000;
      this.step(this.clock);
    }
    return now;
  }

  private step(now: number): void {
    // AMIs and images first: a build that completes this second is in EC2 before anything reads it.
    this.amis.step(now);
    this.imageBuilder.step(now);
    // Target health first, so Auto Scaling acts on this second's health checks and finished draining.
    const instanceById = (id: string): Instance | undefined => this.registry.get(id);
    for (const targetGroup of this.targetGroups.values()) {
      targetGroup.step(now, this.app, instanceById);
      this.metrics.record(targetGroup.arn, 'UnHealthyHostCount', targetGroup.unhealthyCount, now);
      this.metrics.record(targetGroup.arn, 'HealthyHostCount', targetGroup.healthyCount, now);
    }
    this.fleet.step(now);
    this.scalingPolicies.step(now);
    this.cloudWatch.step(now);
  }
}
