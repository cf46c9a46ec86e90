import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { KEEP_STATES } from '../../lambdas/shared/contract';
import { UndoRequestedError } from '../../lambdas/shared/errors';
import { KEEP_CHECK_INTERVAL_SECONDS } from '../../lambdas/shared/settings';
import { FAILURE_PATH } from '../error-routing';
import type { JsonPathRef } from '../payload';
import { poll, type DefinitionContext } from '../tasks';
import { FIRST_DEPLOYMENT, STATE } from './state';

/** The keep's wait: the operator's request read on the new group, this execution to tell a newer one. */
function keepWait(
  ctx: DefinitionContext,
  name: string,
  keptGroup: JsonPathRef<string>,
  purpose: 'undo' | 'debug',
  minutes: number,
) {
  return poll(
    ctx,
    name,
    'check-fleet-kept',
    {
      requestGroup: STATE.standbyGroup,
      keptGroup,
      purpose,
      keepSeconds: minutes * 60,
      execution: STATE.execution,
    },
    { intervalSeconds: KEEP_CHECK_INTERVAL_SECONDS },
  );
}

/**
 * Between the rollback window and the finish, with `keepOldFleetMinutes` (docs/design.md#keeping-fleets):
 * the old fleet stays in Standby, attached and ready, while the new version serves. An operator's undo
 * (UndoRequestedError) sends the deployment to `undo`, the rollback, whose old instances serve again before
 * the new group leaves (I1); the keep's end, a release or a newer deployment goes on to `finish`. A failure
 * of the keep itself goes on to the finish too: the window passed, and finishing is what a deployment
 * without a keep does. Undefined when nothing is kept: the definition is then as without the setting.
 */
export function keepOldFleet(
  ctx: DefinitionContext,
  next: { readonly undo: sfn.IChainable; readonly finish: sfn.IChainable },
): sfn.Parallel | undefined {
  const minutes = ctx.settings.keepOldFleetMinutes;
  if (minutes === 0) return undefined;
  const wait = keepWait(ctx, KEEP_STATES.oldFleetWait, STATE.activeGroup, 'undo', minutes);
  const noOldFleet = new sfn.Pass(ctx.scope, 'No old fleet to keep');
  const keep = new sfn.Choice(ctx.scope, 'Is there an old fleet to keep?')
    .when(FIRST_DEPLOYMENT, noOldFleet)
    .otherwise(wait);
  const complete = new sfn.Succeed(ctx.scope, `${KEEP_STATES.oldFleet}: complete`);
  return new sfn.Parallel(ctx.scope, KEEP_STATES.oldFleet, { resultPath: sfn.JsonPath.DISCARD })
    .branch(sfn.Chain.custom(keep, [noOldFleet, ...wait.endStates], wait).next(complete))
    .addCatch(next.undo, { errors: [UndoRequestedError.name], resultPath: FAILURE_PATH })
    .addCatch(next.finish, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
}

/**
 * With `keepFailedFleetMinutes`, in the abort and the rollback once the new group has left its target
 * groups (no user and no synthetic check reaches it): the failed fleet keeps running for debugging, then
 * goes on to be emptied. Its keep can never fail the clean-up: a failure of its wait goes on to the
 * emptying as its end would. Returns the chain to run before the emptying, or undefined when nothing is kept.
 */
export function keepFailedFleet(
  ctx: DefinitionContext,
  name: string,
  emptying: sfn.IChainable,
): sfn.Chain | undefined {
  const minutes = ctx.settings.keepFailedFleetMinutes;
  if (minutes === 0) return undefined;
  const wait = keepWait(ctx, name, STATE.standbyGroup, 'debug', minutes);
  wait.check.addCatch(emptying, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
  return sfn.Chain.custom(wait.startState, wait.endStates, wait);
}
