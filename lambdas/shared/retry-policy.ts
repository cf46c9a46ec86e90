/**
 * The workflow's retry policy as plain numbers. `state-machine/retry.ts` applies it to every Lambda step;
 * the synth-time history budget (`settings/index.ts`) counts what it can add to an execution's history. One
 * source, so that raising an attempt count can never leave the budget behind. No CDK import: the Lambdas
 * bundle this module through `settings/index.ts`.
 */
export interface Retrier {
  readonly intervalSeconds: number;
  /** Retries after the first attempt (ASL `MaxAttempts`), counted per retrier. */
  readonly maxAttempts: number;
  readonly backoffRate: number;
  readonly maxDelaySeconds: number;
}

export const RETRY_POLICY = {
  /**
   * An account mid-transition (instances still draining into Standby): attempts for over an hour, the
   * longest deregistration delay ALB allows being 3,600 s.
   */
  notReady: { intervalSeconds: 10, maxAttempts: 120, backoffRate: 1.5, maxDelaySeconds: 60 },
  /** Throttling, contention or a 5xx that outlived the SDK's own retries: 6 attempts over ~2 minutes. */
  transient: { intervalSeconds: 2, maxAttempts: 6, backoffRate: 2, maxDelaySeconds: 60 },
} as const satisfies Record<string, Retrier>;
