import type { AlreadyServing } from '../lambdas/check-already-serving/handler';
import type { Output as TrafficAndAlarmsCheck } from '../lambdas/check-traffic-and-alarms/handler';
import type { GuardResult } from '../lambdas/guard-single-deployment/handler';
import type { LaunchResult } from '../lambdas/launch-new-version/handler';
import type { CapacityMatch } from '../lambdas/match-production-capacity/handler';
import type { Output as WindowCheck } from '../lambdas/monitor-new-version/handler';
import type { Roles } from '../lambdas/shared/types';
import type { ValidatedRequest } from '../lambdas/validate-request/handler';
import type { BuiltAmi } from '../lambdas/find-built-ami/handler';
import type { RecoveryPlan } from '../lambdas/plan-recovery/handler';
import type { HookOutcome } from '../lambdas/check-hook-answer/input';
import type { Output as ShiftPlan } from '../lambdas/plan-traffic-shift/handler';

/** A Catch's result: the error name and its cause (docs/aws-facts/step-functions.md#error-handling). */
export interface CaughtError {
  Error: string;
  Cause: string;
}

/**
 * The execution's state as the phases pass it along: the validated request, then what each step wrote at
 * its `resultPath`. A `ref('$.…')` resolves against it, so a path that names nothing, or a value of
 * another type than the field it fills, fails to compile.
 */
export interface DeploymentState extends Omit<ValidatedRequest, 'amiId'> {
  /**
   * Known from the first validation, except for an EC2 Image Builder request, whose state the definition
   * routes to finding its image's AMI before any step reads it (state-machine/phases/request-checks.ts).
   */
  amiId: string;
  /** The AMI an EC2 Image Builder image built, for the second validation. */
  built: BuiltAmi;
  /** A recovery's plan (docs/recovery.md). */
  recovery: RecoveryPlan['recovery'];
  roles: Roles;
  guard: GuardResult;
  /** The pre-flight's first half: its problems are refused by the second. */
  preflight: TrafficAndAlarmsCheck;
  current: AlreadyServing;
  release: LaunchResult;
  /** The new group's size just before the shift (docs/design.md#capacity). */
  capacityMatch: CapacityMatch;
  /** The shift's plan (docs/design.md#gradual-shift); `current` is the share reached, moved by each step. */
  shift: ShiftPlan;
  /** The loops' state; the definition reads it only after the rollback window's last check. */
  wait: WindowCheck;
  failure: CaughtError;
  cleanupFailure: CaughtError;
  /** The last lifecycle hook's answer or error (state-machine/phases/hooks.ts). */
  hook: HookOutcome;
  /** What a hook's event says of the old group (null on a first deployment). */
  hookEvent: { oldGroup: string | null };
}

/** The context object (`$$`) as the definition reads it. */
export interface ContextObject {
  Execution: { Id: string; Name: string; Input: unknown; StartTime: string };
  StateMachine: { Id: string; Name: string };
}

type Resolve<T, Path extends string> = Path extends `${infer Key}.${infer Rest}`
  ? Key extends keyof NonNullable<T>
    ? Resolve<NonNullable<T>[Key], Rest>
    : never
  : Path extends keyof NonNullable<T>
    ? NonNullable<T>[Path]
    : never;

/** The value a path into the state (`$.…`) or the context object (`$$.…`) reads; never if it names nothing. */
export type ValueAt<Path extends string> = Path extends `$$.${infer Rest}`
  ? Resolve<ContextObject, Rest>
  : Path extends `$.${infer Rest}`
    ? Resolve<DeploymentState, Rest>
    : never;
