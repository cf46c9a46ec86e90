/** What `npm run simulate` accepts; every option combines with every scenario. */
export interface SimulationOptions {
  readonly scenario: string;
  readonly seed: number;
  /** Size of the active fleet. */
  readonly instances?: number;
  readonly windowMinutes?: number;
  readonly bootSeconds?: number;
  /** The new version never passes health checks. */
  readonly failHealth?: boolean;
  /** The new version fails synthetic checks (answers 500 outside /health). */
  readonly failSynthetic?: boolean;
  /** The new version starts answering errors this many minutes after the traffic shift. */
  readonly alarmAt?: number;
  /** Fraction of requests the new version answers with 500 once it errs. */
  readonly errorRate?: number;
  /** Stop the execution (like StopExecution) when it enters this state. */
  readonly stopAt?: string;
  /** User requests per virtual second. */
  readonly requestsPerSecond?: number;
}

export type Outcome = 'succeeded' | 'rolled-back' | 'aborted' | 'failed' | 'skipped' | 'rejected';
