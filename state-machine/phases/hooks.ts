import { Aws, Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  HOOK_STAGE_LABELS,
  hookFunctionName,
  hookTimeoutSeconds,
  type Hook,
  type HookStage,
} from '../../lambdas/shared/settings/hooks';
import { RETRY_POLICY } from '../../lambdas/shared/retry-policy';
import { phase } from '../error-routing';
import { ref } from '../payload';
import { TRANSIENT_ERRORS } from '../retry';
import { task, type DefinitionContext } from '../tasks';
import { FIRST_DEPLOYMENT, STATE } from './state';

/**
 * Lifecycle hooks (docs/hooks.md): at each stage, the stage's hooks run one after the other, in the order
 * the configuration lists them. Step Functions invokes each function itself (the `lambda:invoke`
 * integration, `.waitForTaskToken` for a callback hook), bounded by the hook's TimeoutSeconds; the step
 * `check-hook-answer` then judges what came back, or the error caught, and fails the phase with HookFailed
 * or HookTimedOut: the phase's own routing aborts or rolls back. A stage without hooks adds no state.
 */

/** Step Functions' limit on a state's name is 80 characters (docs/aws-facts/step-functions.md#callbacks). */
const MAX_STATE_NAME = 80;
/** Where the hook's answer, or its caught error, goes: what `check-hook-answer` reads. */
const HOOK_PATH = '$.hook';
/** Lambda's own transient failures: a user function's errors are its answer, never retried. */
const LAMBDA_TRANSIENT_ERRORS = TRANSIENT_ERRORS.filter((error) => error.startsWith('Lambda.'));

/** `step`, then the hooks of `stage` when there are any (else `step` alone, the definition unchanged). */
export function withHooks(ctx: DefinitionContext, stage: HookStage, step: sfn.IChainable): sfn.IChainable {
  const hooks = hooksAt(ctx, stage);
  return hooks ? sfn.Chain.start(step).next(hooks) : step;
}

/**
 * After the finish: the old fleet is gone and the new version serves, so a failing `after-finish` hook has
 * nothing to abort or roll back. The deployment still succeeds, its report (and the outcome event's
 * `reason`) saying which hook failed and why (docs/design.md#lifecycle-hooks). Without such hooks: `succeeded`.
 */
export function afterFinish(ctx: DefinitionContext, succeeded: sfn.IChainable): sfn.IChainable {
  const hooks = hooksAt(ctx, 'after-finish');
  if (!hooks) return succeeded;
  const reported = task(
    ctx,
    'Report: deployment succeeded, a hook after it failed',
    'report-outcome',
    {
      outcome: 'succeeded',
      applicationName: ctx.settings.applicationName,
      executionName: ref('$$.Execution.Name'),
      executionArn: ref('$$.Execution.Id'),
      notificationTopicArn: ctx.settings.notificationTopicArn ?? null,
      amiId: STATE.amiId,
      roles: STATE.roles,
      failure: STATE.failure,
      // What undo deploys again (npm run ops -- undo), as the plain success records it.
      previousAmiId: ref('$.current.servingAmiId'),
    },
    { resultPath: '$.outcome' },
  ).next(
    new sfn.Succeed(ctx.scope, 'Deployment succeeded (a hook after it failed)', { outputPath: '$.outcome' }),
  );
  return phase(ctx.scope, 'Run hooks after finish', hooks, reported).next(succeeded);
}

export function hooksAt(ctx: DefinitionContext, stage: HookStage): sfn.Chain | undefined {
  const hooks = ctx.settings.hooks.filter((hook) => hook.stage === stage);
  if (hooks.length === 0) return undefined;
  const label = HOOK_STAGE_LABELS[stage];
  // A path into a null `roles.active` fails the state (docs/aws-facts/step-functions.md#error-handling): the
  // old group's name is read only when there is one.
  const oldGroup = new sfn.Pass(ctx.scope, `Hooks ${label}: name the old group`, {
    parameters: { 'oldGroup.$': '$.roles.active.groupName' },
    resultPath: '$.hookEvent',
  });
  const noOldGroup = new sfn.Pass(ctx.scope, `Hooks ${label}: no old group`, {
    result: sfn.Result.fromObject({ oldGroup: null }),
    resultPath: '$.hookEvent',
  });
  let chain = new sfn.Choice(ctx.scope, `Hooks ${label}: is there an old group?`)
    .when(FIRST_DEPLOYMENT, noOldGroup)
    .otherwise(oldGroup)
    .afterwards();
  const names = new Set<string>();
  for (const hook of hooks) {
    const fn = hookFunctionName(hook.functionArn);
    const judge = task(ctx, stateName(names, 'Check hook answer', label, fn), 'check-hook-answer', {
      stage,
      functionName: fn,
      callback: hook.callback,
      timeoutSeconds: hookTimeoutSeconds(hook),
      outcome: ref('$.hook'),
    });
    const invoke = invokeHook(ctx, stateName(names, 'Run hook', label, fn), stage, hook);
    invoke.addCatch(judge, { errors: [sfn.Errors.ALL], resultPath: HOOK_PATH });
    chain = chain.next(invoke).next(judge);
  }
  return chain;
}

/** `<what>: <stage> (<function>)`, the function's name shortened to fit 80 characters, unique in `names`. */
function stateName(names: Set<string>, what: string, label: string, fn: string): string {
  const room = MAX_STATE_NAME - `${what}: ${label} ()`.length - ' #99'.length;
  const shown = fn.length > room ? `${fn.slice(0, room - 1)}…` : fn;
  let name = `${what}: ${label} (${shown})`;
  for (let n = 2; names.has(name); n++) name = `${what}: ${label} (${shown}) #${n}`;
  names.add(name);
  return name;
}

/**
 * The Task that invokes the hook's function with its event (docs/hooks.md#the-event). Its result, the
 * function's answer (or the output a callback's SendTaskSuccess gave), goes to `$.hook.answer`.
 */
function invokeHook(ctx: DefinitionContext, name: string, stage: HookStage, hook: Hook): sfn.CustomState {
  const { targetGroups, syntheticChecks } = ctx.settings;
  const integration = hook.callback ? 'lambda:invoke.waitForTaskToken' : 'lambda:invoke';
  const state = new sfn.CustomState(ctx.scope, name, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::${integration}`,
      Parameters: {
        FunctionName: hook.functionArn,
        Payload: {
          stage,
          'deploymentId.$': '$$.Execution.Name',
          'executionArn.$': '$$.Execution.Id',
          'amiId.$': '$.amiId',
          'newGroup.$': '$.roles.standby.groupName',
          'oldGroup.$': '$.hookEvent.oldGroup',
          targetGroups: { main: targetGroups.main, synthetic: targetGroups.synthetic },
          endpoint: syntheticChecks.endpoint,
          syntheticHeader: { name: syntheticChecks.header.name, value: syntheticChecks.header.value },
          ...(hook.callback ? { 'taskToken.$': '$$.Task.Token' } : {}),
        },
      },
      TimeoutSeconds: hookTimeoutSeconds(hook),
      // A direct invocation's result is Lambda's answer (`Payload` the function's); a callback's is the output.
      ResultSelector: { 'answer.$': hook.callback ? '$' : '$.Payload' },
      ResultPath: HOOK_PATH,
    },
  });
  const { transient } = RETRY_POLICY;
  state.addRetry({
    errors: [...LAMBDA_TRANSIENT_ERRORS],
    interval: Duration.seconds(transient.intervalSeconds),
    maxAttempts: transient.maxAttempts,
    backoffRate: transient.backoffRate,
    maxDelay: Duration.seconds(transient.maxDelaySeconds),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return state;
}

/** The functions the state machine invokes as hooks: what its role is granted (infra/hook-permissions.ts). */
export function hookFunctionArns(hooks: readonly Hook[]): string[] {
  return [...new Set(hooks.map((hook) => hook.functionArn))];
}

/** The longest the hooks can make one execution last: each may take its whole timeout. */
export function hooksSeconds(hooks: readonly Hook[]): number {
  return hooks.reduce((total, hook) => total + hookTimeoutSeconds(hook), 0);
}
