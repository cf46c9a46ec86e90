/**
 * The callback pattern of Step Functions (docs/aws-facts/step-functions.md#callbacks): a Task with
 * `.waitForTaskToken` hands out a token (`$$.Task.Token`) and waits until SendTaskSuccess or SendTaskFailure
 * returns it, or its TimeoutSeconds elapse. The local engine keeps one context object per execution, so the
 * engine's Task handler asks for a token here, one per Task it starts, and awaits what the API calls answer.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { serviceError } from './errors';
import { route, type Route } from './router';
import { checkLength, MAX_CAUSE_LENGTH, MAX_DATA_BYTES, MAX_ERROR_LENGTH } from './step-functions-limits';

/**
 * What the engine's context holds as `$$.Task.Token`: the Task handler swaps it for a token of its own. It is
 * no token the API accepts (InvalidToken), so a definition that passes it elsewhere fails loudly.
 */
export const TASK_TOKEN_PLACEHOLDER = 'simulator:task-token-placeholder';

/** AWS's tokens are opaque; these are numbered, for readable reports, with a random part. */
const TOKEN = /^AQB[0-9]{6}[0-9a-f]{16}$/;

interface PendingTask {
  readonly deadline: number;
  /** True while the execution runs: a stopped or ended execution has closed its tasks. */
  readonly executionRunning: () => boolean;
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
  closed: boolean;
}

export class TaskTokens {
  private readonly pending = new Map<string, PendingTask>();
  private counter = 0;

  /**
   * A new token for a Task that waits up to `timeoutSeconds`, and the output SendTaskSuccess will give it
   * (or the error SendTaskFailure will).
   */
  issue(
    timeoutSeconds: number,
    executionRunning: () => boolean,
  ): { token: string; answer: Promise<unknown> } {
    const random = Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
    const token = `AQB${String(++this.counter).padStart(6, '0')}${random}`;
    const answer = new Promise<unknown>((resolve, reject) => {
      this.pending.set(token, {
        deadline: Date.now() + timeoutSeconds * 1000,
        executionRunning,
        resolve,
        reject,
        closed: false,
      });
    });
    // The engine may time the Task out before anyone answers: nothing then listens to the promise.
    answer.catch(() => undefined);
    return { token, answer };
  }

  routes(): Route[] {
    return [
      route(SendTaskSuccessCommand, (input) => {
        checkLength(input.output, 'output', MAX_DATA_BYTES);
        const task = this.open(input.taskToken);
        let output: unknown;
        try {
          output = JSON.parse(input.output ?? '');
        } catch {
          // SendTaskSuccess API reference, Errors: InvalidOutput. UNCONFIRMED: exact text.
          throw serviceError('states', 'InvalidOutput', 'Invalid Output: the output is not valid JSON');
        }
        task.closed = true;
        task.resolve(output);
        return {};
      }),
      route(SendTaskFailureCommand, (input) => {
        checkLength(input.error, 'error', MAX_ERROR_LENGTH);
        checkLength(input.cause, 'cause', MAX_CAUSE_LENGTH);
        const task = this.open(input.taskToken);
        task.closed = true;
        // The Task fails with the error and cause given. UNCONFIRMED: the error name when none is given.
        const failure = new Error(input.cause ?? '');
        failure.name = input.error ?? 'States.TaskFailed';
        task.reject(failure);
        return {};
      }),
    ];
  }

  /**
   * The task a token names, still waiting; else the error AWS documents: InvalidToken for what is no token,
   * TaskDoesNotExist for a token no Task handed out, TaskTimedOut for one whose Task has closed (answered,
   * timed out, or its execution ended).
   */
  private open(token: string | undefined): PendingTask {
    if (token === undefined || !TOKEN.test(token)) {
      throw serviceError('states', 'InvalidToken', `Invalid Token: '${token ?? ''}'`);
    }
    const task = this.pending.get(token);
    if (!task) throw serviceError('states', 'TaskDoesNotExist', 'Task Does Not Exist');
    if (task.closed || Date.now() >= task.deadline || !task.executionRunning()) {
      task.closed = true;
      throw serviceError('states', 'TaskTimedOut', 'Task Timed Out');
    }
    return task;
  }
}
