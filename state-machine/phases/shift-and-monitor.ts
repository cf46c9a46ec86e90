import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { KEY_STATES } from '../../lambdas/shared/contract';
import { phase } from '../error-routing';
import { ref } from '../payload';
import { poll, task, type DefinitionContext } from '../tasks';
import { withHooks } from './hooks';
import { milestone } from './milestones';
import { FIRST_DEPLOYMENT, STATE } from './state';

/**
 * Shift traffic and monitor (phase 3 of docs/design.md#the-flow): adding the new group before the old fleet leaves (I1), then watch the new version
 * for the rollback window. Any failure goes to `onFailure` (the rollback). Traffic is announced as shifted
 * once the new version serves every request (the old fleet in Standby, or none), as the window opens, and
 * the window as passed when it ends well (its last check's words go with it).
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
  const windowPassed = monitor.next(
    milestone(ctx, 'window-passed', {
      window: ref('$.wait'),
      ...(settings.keepOldFleetMinutes > 0 && { keepOldFleetMinutes: settings.keepOldFleetMinutes }),
    }),
  );
  // The after-shift hooks run once, before the window opens: their failure rolls back.
  const trafficShifted = sfn.Chain.start(
    withHooks(
      ctx,
      'after-shift',
      milestone(ctx, 'traffic-shifted', {
        rollbackWindowMinutes: ref('$.settings.monitoring.rollbackWindowMinutes'),
      }),
    ),
  ).next(monitor);
  const standOldFleetDown = task(ctx, 'Put old fleet in standby', 'enter-standby', {
    groupName: STATE.activeGroup,
    mainTargetGroupArn: main,
  });
  standOldFleetDown
    .next(
      poll(
        ctx,
        KEY_STATES.oldFleetInStandby,
        'check-instances-in-standby',
        { groupName: STATE.activeGroup, operatorRequestGroup: STATE.standbyGroup },
        settings.waits.oldFleetInStandby,
      ),
    )
    .next(trafficShifted);
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
        .when(FIRST_DEPLOYMENT, trafficShifted)
        .otherwise(standOldFleetDown),
    );
  return phase(
    ctx.scope,
    'Shift traffic and monitor',
    sfn.Chain.custom(shiftTraffic.startState, windowPassed.endStates, windowPassed),
    onFailure,
  );
}
