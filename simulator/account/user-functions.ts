/**
 * The teams' own Lambda functions that a deployment runs as lifecycle hooks (docs/hooks.md), as an
 * environment describes them: each by ARN, with a behaviour. The state machine invokes them directly
 * (simulator/engine/hook-tasks.ts); one that answers later calls SendTaskSuccess or SendTaskFailure through
 * the SDK, as a real hook would, as a principal allowed to.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { actingAs, type Principal } from './iam/principal';

/** What a hook function does when invoked. */
export type HookBehaviour =
  | { readonly kind: 'pass' }
  /** Answers `{"result": "fail", "reason": …}`. */
  | { readonly kind: 'fail'; readonly reason?: string }
  /** Throws: a function error. */
  | { readonly kind: 'throw'; readonly errorType?: string; readonly message?: string }
  /** Answers with anything: e.g. `"ok"` or `{"result": "passed"}`, which the contract refuses. */
  | { readonly kind: 'answer'; readonly value: unknown }
  /** A callback hook: returns at once, then after `afterSeconds` sends the token back, passing or failing. */
  | { readonly kind: 'answer-later'; readonly afterSeconds: number; readonly result: 'pass' | 'fail' }
  /** A callback hook that never sends its token back. */
  | { readonly kind: 'never-answer' };

export interface HookFunctionDescription {
  /** Unqualified: an invocation of `ARN:alias` or `ARN:version` reaches it too. */
  readonly arn: string;
  readonly behaviour: HookBehaviour;
}

export interface HookInvocation {
  readonly functionArn: string;
  readonly event: Record<string, unknown>;
  /** Virtual milliseconds since the epoch. */
  readonly at: number;
  /** What SendTaskSuccess or SendTaskFailure answered a callback hook, when it answered. */
  callbackAnswer?: 'accepted' | string;
}

/** Who a team's hook function acts as: not the orchestrator (the invariant monitor tells them apart). */
export const HOOK_FUNCTION_PRINCIPAL = 'hook-function';

/** The role a hook function runs as in the simulation: it may answer any task token (UNCONFIRMED resource). */
const HOOK_FUNCTION_ROLE = (accountId: string): Principal => ({
  name: HOOK_FUNCTION_PRINCIPAL,
  sessionArn: `arn:aws:sts::${accountId}:assumed-role/hook-function-role/hook-function`,
  policies: [
    {
      Statement: [
        { Effect: 'Allow', Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: '*' },
      ],
    },
  ],
});

export class UserFunctions {
  readonly invocations: HookInvocation[] = [];
  private readonly principal: Principal;

  constructor(
    private readonly functions: readonly HookFunctionDescription[],
    private readonly region: string,
    accountId: string,
  ) {
    this.principal = HOOK_FUNCTION_ROLE(accountId);
  }

  /** The function an ARN invokes (a qualified ARN, its function), if the account has it. */
  find(functionArn: string): HookFunctionDescription | undefined {
    const unqualified = functionArn.split(':').slice(0, 7).join(':');
    return this.functions.find((fn) => fn.arn === functionArn || fn.arn === unqualified);
  }

  /** Runs the function on `event`: its result, or its error thrown as the function's error. */
  async invoke(fn: HookFunctionDescription, event: Record<string, unknown>): Promise<unknown> {
    const invocation: HookInvocation = { functionArn: fn.arn, event: structuredClone(event), at: Date.now() };
    this.invocations.push(invocation);
    const { behaviour } = fn;
    switch (behaviour.kind) {
      case 'pass':
        return { result: 'pass' };
      case 'fail':
        return { result: 'fail', reason: behaviour.reason ?? 'the hook found a problem' };
      case 'answer':
        return behaviour.value;
      case 'throw': {
        const error = new Error(behaviour.message ?? 'the hook function crashed');
        error.name = behaviour.errorType ?? 'Error';
        throw error;
      }
      case 'answer-later':
        setTimeout(() => void this.answer(invocation, behaviour.result), behaviour.afterSeconds * 1000);
        return null;
      case 'never-answer':
        return null;
    }
  }

  private async answer(invocation: HookInvocation, result: 'pass' | 'fail'): Promise<void> {
    const taskToken = String(invocation.event.taskToken);
    const client = new SFNClient({ region: this.region });
    try {
      await actingAs(this.principal, () =>
        result === 'pass'
          ? client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ result: 'pass' }) }))
          : client.send(
              new SendTaskFailureCommand({
                taskToken,
                error: 'ContractTestsFailed',
                cause: 'the contract tests found 2 failures',
              }),
            ),
      );
      invocation.callbackAnswer = 'accepted';
    } catch (error) {
      invocation.callbackAnswer = (error as Error).name;
    }
  }
}
