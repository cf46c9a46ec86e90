/** What `npm run simulate` accepts; every option combines with every scenario. */
export interface SimulationOptions {
  readonly scenario: string;
  readonly seed: number;
  /** Size of the active fleet. */
  readonly instances?: number;
  readonly windowMinutes?: number;
  readonly bootSeconds?: number;
  /** The second of each minute at which CloudWatch evaluates the alarms (default 0). */
  readonly alarmEvaluationSecond?: number;
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
  /** Probability that an AWS call attempt is throttled (replaces the scenario's figure). */
  readonly throttleProbability?: number;
  /** Probability that an AWS call attempt fails with a 5xx before taking effect. */
  readonly transientErrorProbability?: number;
  /** Probability that an AWS call attempt takes effect but its answer is lost (5xx or timeout after the fact). */
  readonly lostResponseProbability?: number;
  /** Every Lambda runs twice with the same input (replaces the scenario's setting). */
  readonly duplicateInvocations?: boolean;
}

export type Outcome =
  | 'succeeded'
  | 'rolled-back'
  | 'kept-serving'
  | 'aborted'
  | 'failed'
  | 'skipped'
  | 'already-serving'
  | 'rejected';
