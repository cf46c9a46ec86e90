import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { KEY_STATES } from '../../lambdas/shared/contract';
import { phase } from '../error-routing';
import { task, type DefinitionContext } from '../tasks';
import { removeGroup } from './remove-group';
import { FIRST_DEPLOYMENT, STATE } from './state';

/**
 * Finish (phase 4 of docs/design.md#the-flow): the new version leaves the synthetic target group, and the old group leaves every target group
 * before anything could re-register it (I4), then goes. The window has passed, so a failure here is not
 * rolled back: it goes to `onFailure` (manual action).
 */
export function finish(ctx: DefinitionContext, onFailure: sfn.IChainable): sfn.Parallel {
  const { synthetic } = ctx.settings.targetGroups;
  const oldFleetRetired = removeGroup(
    ctx,
    STATE.activeGroup,
    {
      detach: 'Detach old group from target groups',
      waitDetached: 'Wait until old group has left target groups',
      empty: 'Retire old fleet',
      waitEmpty: 'Wait until old group is empty',
    },
    'retire-old-fleet',
  );
  const detachNewFromSynthetic = task(
    ctx,
    'Detach new group from synthetic target group',
    'detach-target-groups',
    { groupName: STATE.standbyGroup, targetGroupArns: [synthetic] },
  );
  const noOldFleet = new sfn.Pass(ctx.scope, 'No old fleet to retire');
  detachNewFromSynthetic.next(
    new sfn.Choice(ctx.scope, 'Is there an old fleet to retire?')
      .when(FIRST_DEPLOYMENT, noOldFleet)
      .otherwise(oldFleetRetired),
  );
  return phase(
    ctx.scope,
    KEY_STATES.finish,
    sfn.Chain.custom(detachNewFromSynthetic, [noOldFleet, ...oldFleetRetired.endStates], oldFleetRetired),
    onFailure,
  );
}
