import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { KEY_STATES } from '../../lambdas/shared/contract';
import { phase } from '../error-routing';
import { ref } from '../payload';
import { poll, task, type DefinitionContext } from '../tasks';
import { FIRST_DEPLOYMENT, STATE } from './state';

/**
 * 9–10. Shift traffic, adding the new group before the old fleet leaves (I1), then watch the new version
 * for the rollback window. Any failure goes to `onFailure` (the rollback).
 */
export function shiftAndMonitor(ctx: DefinitionContext, onFailure: sfn.IChainable): sfn.Parallel {
  const { settings } = ctx;
  const { main } = settings.targetGroups;
  const monitor = poll(
    ctx,
    KEY_STATES.window,
    'monitor-new-version',
    { groupName: STATE.standbyGroup, targetGroupArn: main, monitoring: ref('$.settings.monitoring') },
    // No deadline: reaching the end of the window is the success of this loop. Each check says when the next
    // one runs: just after CloudWatch's next alarm evaluation (docs/design.md#alarm-aligned-monitoring).
    { untilNextCheckAt: true },
  );
  const standOldFleetDown = task(ctx, 'Put old fleet in standby', 'enter-standby', {
    groupName: STATE.activeGroup,
    mainTargetGroupArn: main,
  });
  standOldFleetDown
    .next(
      poll(
        ctx,
        'Wait until old fleet is in standby',
        'check-instances-in-standby',
        { groupName: STATE.activeGroup, operatorRequestGroup: STATE.standbyGroup },
        settings.waits.oldFleetInStandby,
      ),
    )
    .next(monitor);
  const shiftTraffic = sfn.Chain.start(
    task(ctx, KEY_STATES.shiftStarts, 'attach-target-groups', {
      groupName: STATE.standbyGroup,
      targetGroupArns: [main],
    }),
  )
    .next(
      poll(
        ctx,
        'Wait until new targets are healthy in main target group',
        'check-targets-healthy',
        { groupName: STATE.standbyGroup, operatorRequestGroup: STATE.standbyGroup, targetGroupArn: main },
        settings.waits.mainTargetsHealthy,
      ),
    )
    .next(
      new sfn.Choice(ctx.scope, 'Is there an old fleet to stand down?')
        .when(FIRST_DEPLOYMENT, monitor)
        .otherwise(standOldFleetDown),
    );
  return phase(
    ctx.scope,
    'Shift traffic and monitor',
    sfn.Chain.custom(shiftTraffic.startState, monitor.endStates, monitor),
    onFailure,
  );
}
