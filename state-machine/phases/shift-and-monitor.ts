import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { KEY_STATES, SHIFT_STATES } from '../../lambdas/shared/contract';
import { onAnyFailure, phase } from '../error-routing';
import { ref } from '../payload';
import type { PollUntilDone } from '../polling';
import { poll, task, type DefinitionContext } from '../tasks';
import { hooksAt } from './hooks';
import { milestone } from './milestones';
import { FIRST_DEPLOYMENT, STATE } from './state';

/**
 * Shift traffic and monitor (phase 3 of docs/design.md#the-flow): adding the new group before the old fleet
 * leaves (I1), all at once or after baked shares (docs/design.md#gradual-shift), then watch the new version
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
    {
      groupName: STATE.standbyGroup,
      targetGroupArn: main,
      monitoring: ref('$.settings.monitoring'),
      plan: ref('$.shift'),
    },
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
  // By weight, the listeners forward to the main target group alone again once it holds only the new
  // version: the share it has taken stays whole throughout.
  const listenersRestored = new sfn.Choice(ctx.scope, 'Were the listeners weighted?')
    .when(
      LISTENERS_WEIGHTED,
      task(ctx, SHIFT_STATES.restoreListeners, 'restore-listeners', {
        listeners: ref('$.shift.listeners'),
        groupName: STATE.standbyGroup,
      }).next(trafficShifted),
    )
    .otherwise(trafficShifted);
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
    .next(listenersRestored);
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
  const gradually = sharesBaked(ctx, shiftTraffic.startState);
  return phase(
    ctx.scope,
    'Shift traffic and monitor',
    sfn.Chain.custom(gradually, windowPassed.endStates, windowPassed),
    onFailure,
  );
}

/** The plan recorded the listeners' default actions: the shift is by weight and has moved, or may have. */
export const LISTENERS_WEIGHTED = sfn.Condition.isPresent('$.shift.listeners[0]');

/**
 * Plans the shift just before it starts (docs/design.md#gradual-shift), outside the shift's phase: a phase's
 * failure hands on the state as it entered the phase, and the rollback needs the listeners the plan recorded.
 * Read-only, so its failure aborts, production untouched.
 */
export function planShift(ctx: DefinitionContext, onFailure: sfn.IChainable): sfn.TaskStateBase {
  const plan = task(
    ctx,
    SHIFT_STATES.plan,
    'plan-traffic-shift',
    {
      roles: STATE.roles,
      shift: ref('$.settings.shift'),
      comparison: ref('$.settings.monitoring.comparison'),
      targetGroups: ref('$.settings.targetGroups'),
    },
    { resultPath: '$.shift' },
  );
  onAnyFailure(plan, onFailure);
  return plan;
}

/**
 * The shares below 100 %, each given to the new version, then baked under the window's checks, until the
 * last (100 %) hands over to the usual shift, `whole`; all at once, straight to it:
 *
 *   more? ─yes→ shift next share ─100 %→ whole
 *     ↑            ├─by weight───────────────────────────────────────→ bake ─┐
 *     │            └─by instances→ new share healthy → park old share → bake ─┤
 *     └────────────────────────────────────────────────────────────────────────┘
 */
function sharesBaked(ctx: DefinitionContext, whole: sfn.State): sfn.Choice {
  const { main } = ctx.settings.targetGroups;
  const { waits } = ctx.settings;
  const more = new sfn.Choice(ctx.scope, SHIFT_STATES.more);
  const share = ref('$.shift.current.share');
  const bake = poll(
    ctx,
    SHIFT_STATES.bake,
    'monitor-new-version',
    {
      groupName: STATE.standbyGroup,
      targetGroupArn: ref('$.shift.newTargetGroupArn'),
      monitoring: ref('$.settings.monitoring'),
      plan: ref('$.shift'),
      stage: 'bake',
    },
    { untilNextCheckAt: true },
  );
  bake.next(more);
  const byInstances = poll(
    ctx,
    SHIFT_STATES.newShareHealthy,
    'check-targets-healthy',
    { groupName: STATE.standbyGroup, operatorRequestGroup: STATE.standbyGroup, targetGroupArn: main },
    waits.mainTargetsHealthy,
  )
    .next(
      task(ctx, SHIFT_STATES.parkOldShare, 'enter-standby', {
        groupName: STATE.activeGroup,
        mainTargetGroupArn: main,
        newGroupName: STATE.standbyGroup,
        share,
      }),
    )
    .next(
      poll(
        ctx,
        SHIFT_STATES.oldShareParked,
        'check-instances-in-standby',
        { groupName: STATE.activeGroup, operatorRequestGroup: STATE.standbyGroup, share },
        waits.oldFleetInStandby,
      ),
    )
    .next(bake);
  const step = task(
    ctx,
    SHIFT_STATES.step,
    'shift-traffic',
    {
      plan: ref('$.shift'),
      targetGroups: ref('$.settings.targetGroups'),
      newGroupName: STATE.standbyGroup,
      oldGroupName: STATE.activeGroup,
      newGroupCapacity: ref('$.roles.targetCapacity'),
    },
    { resultPath: '$.shift.current' },
  );
  step.next(
    new sfn.Choice(ctx.scope, 'Is it the last share?')
      .when(sfn.Condition.numberEquals('$.shift.current.share', 100), whole)
      .when(sfn.Condition.stringEquals('$.shift.split', 'weight'), bake)
      .otherwise(byInstances),
  );
  return more
    .when(sfn.Condition.numberLessThanJsonPath('$.shift.current.number', '$.shift.steps'), step)
    .otherwise(whole);
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
