/**
 * The workflow's retry policy as plain numbers. `state-machine/retry.ts` applies it to every Lambda step;
 * the synth-time history budget (`settings/history-budget.ts`) counts what it can add to an execution's history. One
 * source, so that raising an attempt count can never leave the budget behind. No CDK import: the Lambdas
 * bundle this module through `settings/history-budget.ts`.
 */
export interface Retrier {
  readonly intervalSeconds: number;
  /** Retries after the first attempt (ASL `MaxAttempts`), counted per retrier. */
  readonly maxAttempts: number;
  readonly backoffRate: number;
  readonly maxDelaySeconds: number;
  /**
   * `full`: each delay is a random share of the computed one (ASL `JitterStrategy: FULL`), so that steps
   * throttled together do not retry in lockstep, and the attempts last about half as long on average.
   * `none`: the delays as computed, when the retries wait for the account to move, not for a shared rate.
   */
  readonly jitter: 'full' | 'none';
}

export const RETRY_POLICY = {
  /**
   * An account mid-transition (instances still draining into Standby, production still launching or the new
   * group still growing at the park): attempts for about two hours (10, 15, 22.5, 33.75, 50.6 s, then 60 s
   * each: 7,032 s), over the longest deregistration delay ALB allows (3,600 s) and a lifecycle hook's default
   * heartbeat timeout. Without jitter: with full jitter they lasted about 3,500 s on average, under the
   * hour they are for (found in review).
   */
  notReady: { intervalSeconds: 10, maxAttempts: 120, backoffRate: 1.5, maxDelaySeconds: 60, jitter: 'none' },
  /** Throttling, contention or a 5xx that outlived the SDK's own retries: 6 attempts over ~2 minutes. */
  transient: { intervalSeconds: 2, maxAttempts: 6, backoffRate: 2, maxDelaySeconds: 60, jitter: 'full' },
} as const satisfies Record<string, Retrier>;
