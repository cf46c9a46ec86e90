import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { Settings } from '../lambdas/shared/settings';
import { toAslPayload, type Payload } from './payload';
import { PollUntilDone } from './polling';
import { lambdaStep } from './step';
import type { StepInput, StepName } from './step-registry';
import { taskTimeoutSeconds } from './step-timeouts';

export type StepFunctions = Readonly<Record<StepName, lambda.IFunction>>;

/** What every phase of the definition is built from. */
export interface DefinitionContext {
  readonly scope: Construct;
  readonly steps: StepFunctions;
  /** Validated settings, embedded in the definition and re-validated with the execution's overrides. */
  readonly settings: Settings;
}

/** The result becomes the state (ASL's default ResultPath). */
export const RESULT_IS_STATE = '$';

export interface TaskOptions {
  /** Where the step's result goes. [JsonPath.DISCARD: the state passes on unchanged] */
  readonly resultPath?: string;
  /** What of the state input the payload reads; `JsonPath.DISCARD`: none (the payload reads `$$` only). */
  readonly inputPath?: string;
}

/** True for a union of step names: a payload checked against one of several inputs may miss another's field. */
type IsUnion<T, All = T> = T extends unknown ? ([All] extends [T] ? false : true) : never;

/** One step, by its literal name: a union would check the payload against only one of its inputs. */
export type OneStep<S extends StepName> = S & (true extends IsUnion<S> ? 'name one step, not a union' : S);

/** One step of the deployment: its handler invoked with a payload checked against the handler's input. */
export function task<S extends StepName>(
  ctx: DefinitionContext,
  name: string,
  step: OneStep<S>,
  payload: Payload<StepInput<S>>,
  options: TaskOptions = {},
): tasks.LambdaInvoke {
  const resultPath = options.resultPath ?? sfn.JsonPath.DISCARD;
  return lambdaStep(ctx.scope, name, ctx.steps[step], toAslPayload(payload), {
    resultPath: resultPath === RESULT_IS_STATE ? undefined : resultPath,
    inputPath: options.inputPath,
    timeout: Duration.seconds(taskTimeoutSeconds(step, ctx.settings)),
  });
}

/** The fields every check step gets from the polling loop itself. */
type LoopFields = 'wait' | 'timeoutSeconds';
type PollingStep = { [S in StepName]: 'wait' extends keyof StepInput<S> ? S : never }[StepName];

/**
 * How a wait paces its checks: every `intervalSeconds`, failing after `timeoutSeconds` if given; or, for a check
 * that schedules itself (it answers `nextCheckAt`), `untilNextCheckAt` with no deadline.
 */
export type PollPacing =
  | { readonly intervalSeconds: number; readonly timeoutSeconds?: number }
  | { readonly untilNextCheckAt: true };

/** A wait: `step` checked until done, paced as `wait` says. */
export function poll<S extends PollingStep>(
  ctx: DefinitionContext,
  name: string,
  step: S,
  payload: Payload<Omit<StepInput<S>, LoopFields>>,
  wait: PollPacing,
): PollUntilDone {
  const fixed = 'intervalSeconds' in wait ? wait : undefined;
  return new PollUntilDone(ctx.scope, name, {
    check: ctx.steps[step],
    payload: toAslPayload(payload),
    pause: fixed ? Duration.seconds(fixed.intervalSeconds) : 'until-next-check-at',
    taskTimeout: Duration.seconds(taskTimeoutSeconds(step, ctx.settings)),
    timeout: fixed?.timeoutSeconds === undefined ? undefined : Duration.seconds(fixed.timeoutSeconds),
  });
}
