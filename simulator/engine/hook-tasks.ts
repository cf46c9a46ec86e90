/**
 * The Task states that invoke a lifecycle hook's function (state-machine/phases/hooks.ts) through Step
 * Functions' optimized Lambda integration, `lambda:invoke` or `lambda:invoke.waitForTaskToken`
 * (docs/aws-facts/step-functions.md#callbacks): what the local engine runs for them. Step Functions invokes
 * the function as the state machine's role, so the role synthesized from the template must allow
 * lambda:InvokeFunction on it, or the Task fails as AWS fails it.
 */
import { evaluate } from '../account/iam/policy-evaluation';
import type { Principal } from '../account/iam/principal';
import { asLambdaError } from '../account/lambda';
import { TASK_TOKEN_PLACEHOLDER, type TaskTokens } from '../account/task-tokens';
import type { UserFunctions } from '../account/user-functions';
import type { HookTask } from './hook-task-states';

export interface HookTaskContext {
  readonly task: HookTask;
  readonly stateMachine: Principal | undefined;
  readonly functions: UserFunctions | undefined;
  readonly tokens: TaskTokens;
  readonly executionRunning: () => boolean;
}

/** An error as Step Functions names a failed invocation: `Lambda.<exception>`, the message as its cause. */
function lambdaServiceError(exception: string, message: string): Error {
  const error = new Error(message);
  error.name = `Lambda.${exception}`;
  return error;
}

/**
 * Runs one hook Task: authorizes the invocation as the state machine's role, invokes the function with the
 * Payload (a callback hook's with its own task token in place of the context's placeholder), and answers what
 * Step Functions would: Lambda's response (`Payload` the function's result), or for a callback hook the
 * output SendTaskSuccess gives; a function error, SendTaskFailure or a refused invocation fails the Task.
 */
export async function runHookTask(context: HookTaskContext, input: unknown): Promise<unknown> {
  const { FunctionName, Payload } = input as { FunctionName: string; Payload: Record<string, unknown> };
  const role = context.stateMachine;
  if (!role) throw new Error('no state machine role was synthesized');
  const decision = evaluate(role.policies, { action: 'lambda:InvokeFunction', resource: FunctionName });
  if (!decision.allowed) {
    // UNCONFIRMED: exact text; Lambda's AccessDeniedException reaches the Task as Lambda.AWSLambdaException.
    throw lambdaServiceError(
      'AWSLambdaException',
      `User: ${role.sessionArn} is not authorized to perform: lambda:InvokeFunction on resource: ${FunctionName} because no identity-based policy allows the lambda:InvokeFunction action (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException)`,
    );
  }
  const fn = context.functions?.find(FunctionName);
  if (!fn) {
    throw lambdaServiceError(
      'ResourceNotFoundException',
      `Function not found: ${FunctionName} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException)`,
    );
  }
  let event = Payload;
  let answer: Promise<unknown> | undefined;
  if (context.task.callback) {
    const issued = context.tokens.issue(context.task.timeoutSeconds, context.executionRunning);
    event = withToken(Payload, issued.token) as Record<string, unknown>;
    answer = issued.answer;
  }
  let result: unknown;
  try {
    result = await (context.functions as UserFunctions).invoke(fn, event);
  } catch (error) {
    throw asLambdaError(error);
  }
  if (answer) return await answer;
  return { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 };
}

/** The payload with the context's token placeholder replaced, wherever the definition put it. */
function withToken(value: unknown, token: string): unknown {
  if (value === TASK_TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((item) => withToken(item, token));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withToken(item, token)]));
  }
  return value;
}
