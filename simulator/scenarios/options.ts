import type { ScalingPolicyDescription } from '../account/scaling-policies';
import type { TrafficProfile } from '../traffic/profiles';

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
  /** User requests per virtual second (a constant rate; `trafficProfile` wins when both are given). */
  readonly requestsPerSecond?: number;
  /** How user traffic varies (replaces the scenario's, and `requestsPerSecond`). */
  readonly trafficProfile?: TrafficProfile;
  /** Requests per second one instance serves (replaces the scenario's). */
  readonly capacityPerInstance?: number;
  /** A request over capacity slower than this (ms) is a capacity error (default 1000). */
  readonly latencyBoundMs?: number;
  /** The same target tracking policy on both groups (replaces the scenario's). */
  readonly scalingPolicy?: ScalingPolicyDescription;
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
