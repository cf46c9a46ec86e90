/**
 * How a call reaches the simulated account: the SDK v3 clients' `send` is replaced (aws-sdk-client-mock),
 * each call is routed to its service's route, authorized as the caller, and made to suffer the faults asked
 * for, attempt by attempt, as the SDK's standard retry mode would meet them.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createSandbox, type SinonSandbox } from 'sinon';
import { serviceError, throttlingError, transientError, type ServiceName } from './errors';
import type { EntryErrorCode } from './eventbridge';
import { authorize, NO_RESOURCES, type AccountLookups } from './iam/authorization';
import { currentPrincipal } from './iam/principal';
import { Random } from './random';
import type { Route } from './router';

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
  /**
   * For tests, on top of the probabilities: whether this attempt fails before taking effect, throttled or
   * with a 5xx (`operation` and `attempt` as for `loseAnswer`).
   */
  failAttempt?: (operation: string, attempt: number) => false | 'throttling' | 'server-error';
  /**
   * For tests: whether EventBridge fails one entry of a PutEvents call that reached it (`call` counts those
   * calls from 1, `index` the entry), answering with this per-entry ErrorCode and counting it in
   * FailedEntryCount; the call itself succeeds.
   */
  failEventEntry?: (call: number, index: number) => false | EntryErrorCode;
}

/** How an answer is lost: a 5xx returned after the change was made, or a connection that timed out or broke. */
export type LostAnswer = 'server-error' | 'timeout';

/** Attempts the SDK's standard retry mode makes for a retryable error (its default maxAttempts). */
export const SDK_MAX_ATTEMPTS = 3;

/** What the account reads of the SDK client a call was sent with. */
interface SdkClient {
  config?: { maxAttempts?: () => Promise<number> };
}

/** What the calls read and report of the account they reach. */
export interface CallHost {
  /** Read at each call: a test may change the faults between calls. */
  faults(): FaultOptions;
  readonly apiCalls: { total: number; byOperation: Record<string, number> };
  readonly onApiCall?: (operation: string, input: unknown) => void;
  readonly onApplied?: (operation: string, input: unknown) => void;
  readonly authorizationView: AccountLookups;
  /** Brings the account up to the clock. */
  advance(): number;
}

const CLIENTS: Record<ServiceName, Parameters<typeof mockClient>[0]> = {
  autoscaling: AutoScalingClient,
  ec2: EC2Client,
  elasticloadbalancing: ElasticLoadBalancingV2Client,
  cloudwatch: CloudWatchClient,
  sns: SNSClient,
  iam: IAMClient,
  states: SFNClient,
  events: EventBridgeClient,
  imagebuilder: ImagebuilderClient,
};

export class ApiCalls {
  private readonly routes = new Map<unknown, { service: ServiceName; route: Route }>();
  private stubs: { restore(): void }[] = [];
  private readonly mocked = new Set<ServiceName>();
  private sandbox?: SinonSandbox;

  constructor(
    private readonly host: CallHost,
    services: [ServiceName, Route[]][],
    private readonly random: { faults: Random; requests: Random },
  ) {
    for (const [service, routes] of services)
      for (const route of routes) this.routes.set(route.command, { service, route });
  }

  /** Serve `routes` too (a service the account did not start with, such as the engine's Step Functions). */
  serve(service: ServiceName, routes: Route[]): void {
    for (const route of routes) this.routes.set(route.command, { service, route });
    if (this.sandbox && !this.mocked.has(service)) this.mock(service);
  }

  /** Start serving the clients of every service that has routes. */
  install(): void {
    if (this.sandbox) return;
    // A sandbox of our own: the default one keeps every stub ever made (with the stack it was made from,
    // which holds this account), so a process that runs thousands of simulations would run out of memory.
    this.sandbox = createSandbox();
    for (const { service } of this.routes.values()) if (!this.mocked.has(service)) this.mock(service);
  }

  private mock(service: ServiceName): void {
    const stub = mockClient(CLIENTS[service], { sandbox: this.sandbox });
    const dispatch = (client: SdkClient, command: unknown) => this.dispatch(service, command, client);
    // `this` of the fake is the client the step called: its configuration says how many attempts it makes.
    stub.send.callsFake(function (this: SdkClient, command: unknown) {
      return dispatch(this, command) as Promise<never>;
    });
    this.stubs.push(stub);
    this.mocked.add(service);
  }

  uninstall(): void {
    for (const stub of this.stubs) stub.restore();
    this.stubs = [];
    this.mocked.clear();
    this.sandbox?.restore();
    this.sandbox = undefined;
  }

  private injectedFault(service: ServiceName, operation: string, attempt: number): Error | undefined {
    const chosen = this.host.faults().failAttempt?.(operation, attempt);
    if (chosen === 'throttling') return throttlingError(service);
    if (chosen === 'server-error') return transientError(service, this.random.faults.chance(0.5));
    const { throttleProbability = 0, transientErrorProbability = 0 } = this.host.faults();
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
    this.host.advance();
    // Faults strike each HTTP attempt, before it takes effect (throttling, 5xx) or after (the answer is lost
    // to a 5xx or a timeout, so the change is made and the caller does not know). The SDK's standard retry
    // mode makes up to `maxAttempts` attempts for these before the caller sees the last one's error;
    // aws-sdk-client-mock replaces `send`, so that middleware never runs and is modelled here instead (every
    // attempt is an API call, and a retry meets the account as the previous attempt left it).
    for (let attempts = 1; ; attempts++) {
      this.host.apiCalls.total++;
      this.host.apiCalls.byOperation[operation] = (this.host.apiCalls.byOperation[operation] ?? 0) + 1;
      this.host.onApiCall?.(operation, input);
      const fault = this.injectedFault(service, operation, attempts);
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
      if (principal) authorize(principal, service, entry.route.operation, input, this.host.authorizationView);
      const answer = entry.route.handle(structuredClone(input));
      this.host.onApplied?.(operation, input);
      const lost =
        this.host.faults().loseAnswer?.(operation, attempts) ||
        this.random.faults.chance(this.host.faults().lostResponseProbability ?? 0);
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

/**
 * Calls to one service's routes outside any account (a local Step Functions without an account): no
 * faults, callers still authorized.
 */
export function standaloneCalls(service: ServiceName, routes: Route[]): ApiCalls {
  const random = new Random(1);
  const host: CallHost = {
    faults: () => ({}),
    apiCalls: { total: 0, byOperation: {} },
    authorizationView: NO_RESOURCES,
    advance: () => Date.now(),
  };
  return new ApiCalls(host, [[service, routes]], {
    faults: random.fork('faults'),
    requests: random.fork('requests'),
  });
}

/** The retry middleware records on the error it gives up with how many attempts were made. */
function withAttempts(error: Error, attempts: number): Error {
  const shaped = error as Error & { $metadata?: Record<string, unknown> };
  shaped.$metadata = { ...shaped.$metadata, attempts, totalRetryDelay: 0 };
  return shaped;
}
