import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { KEY_STATES } from '../../lambdas/shared/contract';
import { phase } from '../error-routing';
import { ref } from '../payload';
import type { PollUntilDone } from '../polling';
import { poll, task, type DefinitionContext } from '../tasks';
import { hooksAt } from './hooks';
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
  const watched = watchedWithAfterShiftHooks(ctx, monitor);
  const windowPassed = watched.next(
    milestone(ctx, 'window-passed', {
      window: ref('$.wait'),
      ...(settings.keepOldFleetMinutes > 0 && { keepOldFleetMinutes: settings.keepOldFleetMinutes }),
    }),
  );
  const trafficShifted = milestone(ctx, 'traffic-shifted', {
    rollbackWindowMinutes: ref('$.settings.monitoring.rollbackWindowMinutes'),
  }).next(watched);
  const standOldFleetDown = task(ctx, 'Put old fleet in standby', 'enter-standby', {
    groupName: STATE.activeGroup,
    mainTargetGroupArn: main,
    newGroupName: STATE.standbyGroup,
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

/**
 * The after-shift hooks run once, as the window opens, beside the window's monitor, not before it: the new
 * version serves every request from the shift on, and a slow hook (a load test, up to its timeout) must not
 * leave it unwatched. Either branch failing fails both (a Parallel stops its other branches): the rollback.
 * The monitor's state goes on (the hooks' branch output is dropped). Without after-shift hooks, the monitor.
 */
function watchedWithAfterShiftHooks(
  ctx: DefinitionContext,
  monitor: PollUntilDone,
): PollUntilDone | sfn.Parallel {
  const hooks = hooksAt(ctx, 'after-shift');
  if (!hooks) return monitor;
  return (
    new sfn.Parallel(ctx.scope, 'Monitor new version while the after-shift hooks run', {
      outputPath: '$[0]',
    })
      // A branch ends in a state that can end it; the loop ends in its Choice.
      .branch(monitor.next(new sfn.Pass(ctx.scope, `${KEY_STATES.window}: over`)))
      .branch(hooks)
  );
}
