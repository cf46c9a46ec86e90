/**
 * The simulated AWS account: one object that owns the world (groups, instances, target groups, alarms),
 * serves the SDK v3 clients of the real Lambda handlers through aws-sdk-client-mock, and advances on the
 * virtual clock (`Date.now()` under fake timers). It never schedules timers of its own: `tick()` (and any
 * API call or request) brings the world up to the clock, one simulated second at a time.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createSandbox, type SinonSandbox } from 'sinon';
import { SimulatedApplication } from './application';
import { AutoScaling } from './auto-scaling';
import { AutoScalingGroupState, Fleet, type ScalingProcess } from './auto-scaling-groups';
import { CloudWatch } from './cloudwatch';
import { Ec2 } from './ec2';
import { authorize, type AccountLookups, type LaunchTemplateUse } from './iam/authorization';
import { InstanceProfiles } from './iam/instance-profiles';
import { InstanceRefreshes } from './instance-refreshes';
import { currentPrincipal } from './iam/principal';
import { ElasticLoadBalancing } from './elb';
import { ListenerRules } from './listener-rules';
import type { AlarmState, EnvironmentDescription, VersionBehaviour } from './environment';
import { serviceError, throttlingError, transientError, type ServiceName } from './errors';
import type { HealthStatus, Instance, LifecycleState } from './instances';
import { SimulatedLoadBalancer } from './load-balancer';
import { MetricStore } from './metrics';
import { Random } from './random';
import type { Route } from './router';
import { Sns, type PublishedMessage } from './sns';
import { TargetGroup, type TargetReason, type TargetState } from './target-groups';

export interface FaultOptions {
  /** Probability that any call fails with the service's throttling error before doing anything. */
  throttleProbability?: number;
  /** Probability that any call fails with a 5xx (InternalFailure / ServiceUnavailable) before doing anything. */
  transientErrorProbability?: number;
  /**
   * Probability that a call takes effect but its answer is lost (a timeout or 5xx after the fact), so the
   * SDK sends it again: the retry meets the account as the first attempt left it.
   */
  lostResponseProbability?: number;
  /**
   * For tests, on top of lostResponseProbability: whether the answer to this attempt (which took effect) is
   * lost. `operation` is e.g. "autoscaling:DetachTrafficSources"; `attempt` counts the SDK's attempts of
   * one call from 1 to the client's maxAttempts, and losing the last one's answer fails the call: with a
   * 5xx or a connection error, as the answer says (true: either, drawn from the seed).
   */
  loseAnswer?: (operation: string, attempt: number) => boolean | LostAnswer;
}

/** How an answer is lost: a 5xx returned after the change was made, or a connection that timed out or broke. */
export type LostAnswer = 'server-error' | 'timeout';

export interface AccountOptions {
  seed?: number;
  faults?: FaultOptions;
}

export interface AccountSnapshot {
  now: number;
  groups: Record<
    string,
    {
      name: string;
      min: number;
      desired: number;
      max: number;
      launchTemplate: { id: string; version: string };
      instances: {
        id: string;
        lifecycleState: LifecycleState;
        healthStatus: HealthStatus;
        amiId: string;
        launchTemplateVersion: string;
      }[];
      trafficSources: { identifier: string; state: string }[];
      suspendedProcesses: string[];
      tags: Record<string, string>;
    }
  >;
  targetGroups: Record<
    string,
    { name: string; targets: { id: string; state: TargetState; reason?: TargetReason }[] }
  >;
  alarms: { name: string; type: 'metric' | 'composite'; state: AlarmState }[];
  snsMessages: number;
}

/** A clock that jumps further than this is a setup mistake (fake timers installed after the account). */
const MAX_CATCH_UP_MS = 30 * 24 * 3600 * 1000;

/** Attempts the SDK's standard retry mode makes for a retryable error (its default maxAttempts). */
export const SDK_MAX_ATTEMPTS = 3;

/** What the account reads of the SDK client a call was sent with. */
interface SdkClient {
  config?: { maxAttempts?: () => Promise<number> };
}

export class SimulatedAccount {
  readonly environment: EnvironmentDescription;
  readonly alb: SimulatedLoadBalancer;
  readonly apiCalls: { total: number; byOperation: Record<string, number> } = { total: 0, byOperation: {} };
  readonly publishedMessages: PublishedMessage[];
  onApiCall?: (operation: string, input: unknown) => void;
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
  private readonly routes = new Map<unknown, { service: ServiceName; route: Route }>();
  private readonly lookups: AccountLookups;
  private stubs: { restore(): void }[] = [];
  private sandbox?: SinonSandbox;

  constructor(environment: EnvironmentDescription, options: AccountOptions = {}) {
    this.environment = structuredClone(environment);
    this.faults = { ...options.faults };
    this.clock = Date.now();
    const now = (): number => Date.now();
    const root = new Random(options.seed ?? 1);
    this.random = { ids: root.fork('ids'), faults: root.fork('faults'), requests: root.fork('requests') };
    this.app = new SimulatedApplication(root.fork('application'));
    const env = this.environment;
    for (const ami of env.amis) if (ami.behaviour) this.app.setBehaviour(ami.id, ami.behaviour);
    for (const description of [env.mainTargetGroup, env.syntheticTargetGroup]) {
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
    const services: [ServiceName, Route[]][] = [
      ['autoscaling', autoScaling.routes()],
      ['ec2', this.ec2.routes()],
      ['elasticloadbalancing', elb.routes()],
      ['cloudwatch', this.cloudWatch.routes()],
      ['sns', this.sns.routes()],
      ['iam', new InstanceProfiles(env.instanceProfiles ?? []).routes()],
      ['autoscaling', new InstanceRefreshes(env, now).routes()],
    ];
    for (const [service, routes] of services)
      for (const route of routes) this.routes.set(route.command, { service, route });
    this.lookups = this.authorizationLookups();
  }

  /** What the authorizer reads of the account (every call made as a step is authorized, see `iam/`). */
  get authorizationView(): AccountLookups {
    return this.lookups;
  }

  private authorizationLookups(): AccountLookups {
    const env = this.environment;
    const profiles = env.instanceProfiles ?? [];
    const launchTemplateUse = (spec: {
      LaunchTemplateId?: string;
      LaunchTemplateName?: string;
      Version?: string;
    }): LaunchTemplateUse | undefined => {
      try {
        const template = this.ec2.findTemplate(spec.LaunchTemplateId, spec.LaunchTemplateName);
        const data = this.ec2.version(template, spec.Version ?? '$Default').data;
        const profile = data.IamInstanceProfile as { Arn?: string; Name?: string } | undefined;
        const role = profiles.find(
          (candidate) => candidate.arn === profile?.Arn || candidate.name === profile?.Name,
        );
        return {
          templateArn: `arn:aws:ec2:${env.region}:${env.accountId}:launch-template/${template.id}`,
          imageId: typeof data.ImageId === 'string' ? data.ImageId : undefined,
          instanceProfileRoleArn: role?.roleArn,
          hasTagSpecifications: Array.isArray(data.TagSpecifications) && data.TagSpecifications.length > 0,
        };
      } catch {
        return undefined; // the call itself then fails as AWS says for a missing template or version
      }
    };
    return {
      region: env.region,
      accountId: env.accountId,
      groupArn: (name) => this.fleet.groups.get(name)?.arn,
      groupTags: (name) =>
        Object.fromEntries(
          [...(this.fleet.groups.get(name)?.tags ?? [])].map(([key, tag]) => [key, tag.value]),
        ),
      launchTemplateUse,
      topicKey: (topicArn) => env.topics?.find((topic) => topic.arn === topicArn)?.kmsKeyArn,
    };
  }

  /** Start serving the Auto Scaling, EC2, ELBv2, CloudWatch and SNS clients (Step Functions is the engine's). */
  install(): void {
    if (this.stubs.length > 0) return;
    const clients: [ServiceName, Parameters<typeof mockClient>[0]][] = [
      ['autoscaling', AutoScalingClient],
      ['ec2', EC2Client],
      ['elasticloadbalancing', ElasticLoadBalancingV2Client],
      ['cloudwatch', CloudWatchClient],
      ['sns', SNSClient],
      ['iam', IAMClient],
    ];
    // A sandbox of our own: the default one keeps every stub ever made (with the stack it was made from,
    // which holds this account), so a process that runs thousands of simulations would run out of memory.
    this.sandbox = createSandbox();
    for (const [service, client] of clients) {
      const stub = mockClient(client, { sandbox: this.sandbox });
      const dispatch = (client: SdkClient, command: unknown) => this.dispatch(service, command, client);
      // `this` of the fake is the client the step called: its configuration says how many attempts it makes.
      stub.send.callsFake(function (this: SdkClient, command: unknown) {
        return dispatch(this, command) as Promise<never>;
      });
      this.stubs.push(stub);
    }
  }

  uninstall(): void {
    for (const stub of this.stubs) stub.restore();
    this.stubs = [];
    this.sandbox?.restore();
    this.sandbox = undefined;
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

  /** A drop-in for `globalThis.fetch` that reaches only the simulated ALB (there is no network). */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input.toString());
    if (init?.signal?.aborted) throw init.signal.reason;
    if (
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.hostname.toLowerCase() !== this.alb.dnsName.toLowerCase()
    ) {
      throw new TypeError('fetch failed', {
        cause: new Error(`The simulated account has no network route to ${url.href}`),
      });
    }
    const headers = new Headers(request?.headers);
    new Headers(init?.headers).forEach((value, key) => headers.set(key, value));
    const plain: Record<string, string> = {};
    headers.forEach((value, key) => (plain[key] = value));
    const synthetic = this.alb.targetGroupFor(plain) === this.environment.syntheticTargetGroup.arn;
    const answer = this.alb.request({
      path: url.pathname + url.search,
      headers: plain,
      kind: synthetic ? 'synthetic' : 'user',
    });
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    return new Response(method === 'HEAD' ? null : answer.body, {
      status: answer.status,
      // Virtual time does not pass during a call, so the response carries the latency it would have had.
      headers: { ...answer.headers, 'server-timing': `app;dur=${answer.latencyMs}` },
    });
  }

  snapshot(): AccountSnapshot {
    const now = this.advance();
    const groups: AccountSnapshot['groups'] = {};
    for (const group of this.fleet.groups.values()) {
      groups[group.name] = {
        name: group.name,
        min: group.min,
        desired: group.desired,
        max: group.max,
        launchTemplate: { id: group.launchTemplate.id, version: group.launchTemplate.version },
        instances: [...group.instances.values()].map((instance) => ({
          id: instance.id,
          lifecycleState: instance.lifecycleState,
          healthStatus: instance.healthStatus,
          amiId: instance.amiId,
          launchTemplateVersion: String(instance.launchTemplate.version),
        })),
        trafficSources: [...group.trafficSources.values()].map((source) => ({
          identifier: source.identifier,
          state: source.state,
        })),
        suspendedProcesses: [...group.suspended.keys()],
        tags: Object.fromEntries([...group.tags].map(([key, tag]) => [key, tag.value])),
      };
    }
    const targetGroups: AccountSnapshot['targetGroups'] = {};
    for (const targetGroup of this.targetGroups.values()) {
      targetGroups[targetGroup.arn] = {
        name: targetGroup.name,
        targets: [...targetGroup.targets.values()].map((target) =>
          target.reason
            ? { id: target.id, state: target.state, reason: target.reason }
            : { id: target.id, state: target.state },
        ),
      };
    }
    return {
      now,
      groups,
      targetGroups,
      alarms: this.cloudWatch.states(),
      snsMessages: this.sns.published.length,
    };
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
        const instance = this.fleet.seedInService(group, now, env.bootSeconds);
        if (description.attachedTargetGroups.includes(env.mainTargetGroup.arn))
          this.app.markServedViaMain(instance.amiId, now);
      }
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
    // Target health first, so Auto Scaling acts on this second's health checks and finished draining.
    const instanceById = (id: string): Instance | undefined => this.registry.get(id);
    for (const targetGroup of this.targetGroups.values()) {
      targetGroup.step(now, this.app, instanceById);
      this.metrics.record(targetGroup.arn, 'UnHealthyHostCount', targetGroup.unhealthyCount, now);
      this.metrics.record(targetGroup.arn, 'HealthyHostCount', targetGroup.healthyCount, now);
    }
    this.fleet.step(now);
    this.cloudWatch.step(now);
  }

  private injectedFault(service: ServiceName): Error | undefined {
    const { throttleProbability = 0, transientErrorProbability = 0 } = this.faults;
    if (throttleProbability <= 0 && transientErrorProbability <= 0) return undefined;
    const roll = this.random.faults.next();
    if (roll < throttleProbability) return throttlingError(service);
    if (roll < throttleProbability + transientErrorProbability)
      return transientError(service, this.random.faults.chance(0.5));
    return undefined;
  }

  private async dispatch(service: ServiceName, command: unknown, client?: SdkClient): Promise<object> {
    const commandClass = (command as { constructor?: { name?: string } }).constructor;
    const entry = this.routes.get(commandClass);
    const input = (command as { input?: unknown }).input;
    const operation = `${service}:${entry?.route.operation ?? String(commandClass?.name).replace(/Command$/, '')}`;
    // The client's `maxAttempts` (its configuration, or AWS_MAX_ATTEMPTS), read as the SDK reads it.
    const maxAttempts = (await client?.config?.maxAttempts?.()) ?? SDK_MAX_ATTEMPTS;
    this.advance();
    // Faults strike each HTTP attempt, before it takes effect (throttling, 5xx) or after (the answer is lost
    // to a 5xx or a timeout, so the change is made and the caller does not know). The SDK's standard retry
    // mode makes up to `maxAttempts` attempts for these before the caller sees the last one's error;
    // aws-sdk-client-mock replaces `send`, so that middleware never runs and is modelled here instead (every
    // attempt is an API call, and a retry meets the account as the previous attempt left it).
    for (let attempts = 1; ; attempts++) {
      this.apiCalls.total++;
      this.apiCalls.byOperation[operation] = (this.apiCalls.byOperation[operation] ?? 0) + 1;
      this.onApiCall?.(operation, input);
      const fault = this.injectedFault(service);
      if (fault) {
        if (attempts >= maxAttempts) throw withAttempts(fault, attempts);
        continue;
      }
      if (!entry || entry.service !== service) {
        throw serviceError(
          service,
          'InvalidAction',
          `The simulated account does not implement ${operation}.`,
        );
      }
      const principal = currentPrincipal();
      if (principal) authorize(principal, service, entry.route.operation, input, this.lookups);
      const answer = entry.route.handle(structuredClone(input));
      const lost =
        this.faults.loseAnswer?.(operation, attempts) ||
        this.random.faults.chance(this.faults.lostResponseProbability ?? 0);
      if (lost) {
        if (attempts >= maxAttempts) throw withAttempts(this.lostAnswer(service, lost), attempts);
        continue;
      }
      return {
        ...answer,
        $metadata: {
          httpStatusCode: 200,
          requestId: this.random.requests.uuid(),
          attempts,
          totalRetryDelay: 0,
        },
      };
    }
  }

  /**
   * What the SDK throws when the answer to an attempt that took effect is lost: the 5xx AWS answered after
   * the fact, or the error of a connection that timed out or was reset (@smithy/node-http-handler names it
   * TimeoutError and keeps the socket's code; the standard retry mode retries both).
   */
  private lostAnswer(service: ServiceName, how: true | LostAnswer): Error {
    const kind = how === true ? (this.random.faults.chance(0.5) ? 'server-error' : 'timeout') : how;
    if (kind === 'server-error') return transientError(service, this.random.faults.chance(0.5));
    return Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
  }
}

/** The retry middleware records on the error it gives up with how many attempts were made. */
function withAttempts(error: Error, attempts: number): Error {
  const shaped = error as Error & { $metadata?: Record<string, unknown> };
  shaped.$metadata = { ...shaped.$metadata, attempts, totalRetryDelay: 0 };
  return shaped;
}
