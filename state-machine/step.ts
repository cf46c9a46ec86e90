import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { retryTransientErrors } from './retry';

export interface StepOptions {
  /** Where the step's result goes; omitted: it replaces the state. `JsonPath.DISCARD` keeps the input. */
  readonly resultPath?: string;
  /** How long the Task waits for the function (state-machine/step-timeouts.ts). */
  readonly timeout: Duration;
  /** What of the state input the payload reads; `JsonPath.DISCARD`: none (the payload reads `$$` only). */
  readonly inputPath?: string;
}

/**
 * One Lambda step: invoked with an explicit payload (never the whole state), its plain JSON result
 * stored at `resultPath`, and the workflow's retry policy applied. `payloadResponseOnly` keeps the
 * result free of Lambda's invocation envelope.
 */
export function lambdaStep(
  scope: Construct,
  name: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  options: StepOptions,
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject(payload),
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    resultPath: options.resultPath,
    inputPath: options.inputPath,
    taskTimeout: sfn.Timeout.duration(options.timeout),
  });
  retryTransientErrors(task);
  return task;
}
