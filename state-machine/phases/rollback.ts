import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { KEY_STATES } from '../../lambdas/shared/contract';
import { CLEANUP_FAILURE_PATH, phase } from '../error-routing';
import { ref } from '../payload';
import { poll, task, type DefinitionContext } from '../tasks';
import { KEEP_STATES } from '../../lambdas/shared/contract';
import { removeGroup } from './remove-group';
import { LISTENERS_WEIGHTED } from './shift-and-monitor';
import { FIRST_DEPLOYMENT, STATE } from './state';

/**
 * Roll back (docs/design.md#endings-and-outcomes): the old fleet serves again before the new group leaves (I1), then the new group drains from
 * its target groups and goes. A failure here needs an operator (`onFailure`).
 */
export function rollback(ctx: DefinitionContext, onFailure: sfn.IChainable): sfn.Parallel {
  const { waits } = ctx.settings;
  const { main, synthetic } = ctx.settings.targetGroups;
  const newGroup = STATE.standbyGroup;
  const restoreOldFleet = task(ctx, 'Put old fleet back in service', 'restore-old-fleet', {
    groupName: STATE.activeGroup,
    mainTargetGroupArn: main,
    capacity: ref('$.roles.active.capacity'),
    newGroupName: newGroup,
  });
  const newGroupRemoved = removeGroup(
    ctx,
    newGroup,
    {
      detach: 'Rollback: detach new group from target groups',
      waitDetached: 'Rollback: wait until new group has left target groups',
      empty: 'Rollback: scale new group to zero',
      waitEmpty: 'Rollback: wait until new group is empty',
      keepForDebugging: KEEP_STATES.failedFleetAfterRollback,
    },
    'scale-group-to-zero',
  );
  restoreOldFleet
    .next(
      poll(
        ctx,
        'Wait until old targets are healthy in main target group',
        'check-targets-healthy',
        { groupName: STATE.activeGroup, targetGroupArn: main },
        waits.rollbackRecovery,
      ),
    )
    .next(newGroupRemoved);
  // A first deployment has no old version to return to: removing the new one would leave users who came
  // during the window with nothing (503s). It keeps serving, out of the synthetic target group only, and the
  // execution fails loudly for an operator to deploy a fix.
  const keepFirstVersion = task(
    ctx,
    'Rollback: keep first version serving, detach it from synthetic target group',
    'detach-target-groups',
    { groupName: newGroup, targetGroupArns: [synthetic] },
  );
  const restoreChoice = new sfn.Choice(ctx.scope, 'Is there an old fleet to restore?')
    .when(FIRST_DEPLOYMENT, keepFirstVersion)
    .otherwise(restoreOldFleet);
  // A shift by weight gives the old version its share back first: the listeners forward to the main
  // target group alone again, where the old fleet still serves whole until the shift's last share.
  const listenersFirst = new sfn.Choice(ctx.scope, 'Rollback: were the listeners weighted?')
    .when(
      LISTENERS_WEIGHTED,
      task(ctx, "Rollback: return listeners' default actions as they were", 'restore-listeners', {
        listeners: ref('$.shift.listeners'),
        groupName: STATE.standbyGroup,
      }).next(restoreChoice),
    )
    .otherwise(restoreChoice);
  return phase(
    ctx.scope,
    KEY_STATES.rollback,
    sfn.Chain.custom(listenersFirst, [keepFirstVersion, ...newGroupRemoved.endStates], newGroupRemoved),
    onFailure,
    CLEANUP_FAILURE_PATH,
  );
}
