import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { KEEP_STATES, KEY_STATES } from '../../lambdas/shared/contract';
import { CLEANUP_FAILURE_PATH, phase } from '../error-routing';
import { ref, type JsonPathRef } from '../payload';
import type { PollUntilDone } from '../polling';
import { poll, task, type DefinitionContext } from '../tasks';
import { withHooks } from './hooks';
import { keepFailedFleet } from './keep-fleets';
import { milestone } from './milestones';
import { STATE } from './state';
import { approvalWait } from '../../lambdas/shared/settings/approval';

/**
 * Prepare (phase 2 of docs/design.md#the-flow): prepare and prove the new version on the standby group,
 * behind the synthetic target group only:
 * production is untouched until this phase has passed (I2). Any failure goes to `onFailure` (the abort).
 * It announces the deployment as started when it begins (the request checks passed), and the new version
 * as ready once it is in service and has passed its synthetic checks.
 */
export function prepare(ctx: DefinitionContext, onFailure: sfn.IChainable): sfn.Parallel {
  const { waits } = ctx.settings;
  const { synthetic } = ctx.settings.targetGroups;
  const group = STATE.standbyGroup;
  const proven = milestone(ctx, 'started', {})
    .next(task(ctx, 'Scale standby group to zero', 'scale-group-to-zero', { groupName: group }))
    .next(
      poll(
        ctx,
        'Wait until standby group is empty',
        'check-group-empty',
        { groupName: group },
        waits.groupEmpty,
      ),
    )
    .next(
      task(
        ctx,
        'Launch new version on standby group',
        'launch-new-version',
        {
          groupName: group,
          amiId: STATE.amiId,
          capacity: ref('$.roles.targetCapacity'),
          execution: STATE.execution,
          roles: STATE.roles,
        },
        { resultPath: '$.release' },
      ),
    )
    .next(
      withHooks(
        ctx,
        'new-fleet-in-service',
        newInstancesInService(ctx, KEY_STATES.newInstancesInService, ref('$.roles.targetCapacity.desired')),
      ),
    )
    .next(
      task(ctx, 'Attach new group to synthetic target group', 'attach-target-groups', {
        groupName: group,
        targetGroupArns: [synthetic],
      }),
    )
    .next(newTargetsHealthyForSyntheticTraffic(ctx, KEY_STATES.syntheticTargetsHealthy))
    .next(
      withHooks(
        ctx,
        'test-traffic',
        task(ctx, 'Run synthetic checks', 'run-synthetic-checks', {
          syntheticChecks: ref('$.settings.syntheticChecks'),
          amiId: STATE.amiId,
        }),
      ),
    )
    .next(milestone(ctx, 'new-version-ready', { release: ref('$.release') }));
  // An operator approves a version every automated check has passed; the before-shift hooks then end the
  // phase, just before the shift however long the approval took (a change-calendar check stays current),
  // and their failure still aborts, production untouched.
  const gate = approvalGate(ctx);
  return phase(
    ctx.scope,
    KEY_STATES.prepare,
    sfn.Chain.start(withHooks(ctx, 'before-shift', gate ? proven.next(gate) : proven)).next(
      matchProductionCapacity(ctx),
    ),
    onFailure,
  );
}

/**
 * The last step before the shift, however long the approval and the hooks took: the new group grows to the
 * capacity production serves with now, and the shift waits until the added instances are in service and
 * healthy behind the synthetic target group (docs/design.md#capacity). Without growth both waits are done at
 * their first check.
 */
function matchProductionCapacity(ctx: DefinitionContext): sfn.Chain {
  return sfn.Chain.start(
    task(
      ctx,
      "Match new fleet to production's capacity",
      'match-production-capacity',
      { roles: STATE.roles },
      { resultPath: '$.capacityMatch' },
    ),
  )
    .next(
      newInstancesInService(ctx, 'Wait until added instances are in service', ref('$.capacityMatch.desired')),
    )
    .next(
      newTargetsHealthyForSyntheticTraffic(
        ctx,
        'Wait until added targets are healthy in synthetic target group',
      ),
    );
}

/** The new group's `desired` instances in service on the new version (the launch's, then the match's). */
function newInstancesInService(
  ctx: DefinitionContext,
  name: string,
  desired: JsonPathRef<number>,
): PollUntilDone {
  const group = STATE.standbyGroup;
  return poll(
    ctx,
    name,
    'check-instances-in-service',
    {
      groupName: group,
      operatorRequestGroup: group,
      launchTemplateVersion: ref('$.release.version'),
      desiredCapacity: desired,
      launchedAt: ref('$.release.launchedAt'),
    },
    ctx.settings.waits.instancesInService,
  );
}

/** Every InService instance of the new group healthy behind the synthetic target group. */
function newTargetsHealthyForSyntheticTraffic(ctx: DefinitionContext, name: string): PollUntilDone {
  const group = STATE.standbyGroup;
  return poll(
    ctx,
    name,
    'check-targets-healthy',
    { groupName: group, operatorRequestGroup: group, targetGroupArn: ctx.settings.targetGroups.synthetic },
    ctx.settings.waits.syntheticTargetsHealthy,
  );
}

/**
 * With `approval` set, after the automated checks and before the before-shift hooks: ask for an operator's approval (the
 * milestone tells the topic how to give it) and wait for it (docs/design.md#approval-gate). Still inside
 * the prepare phase, so a rejection or a timeout that aborts takes the abort: production untouched.
 */
function approvalGate(ctx: DefinitionContext): sfn.Chain | undefined {
  const { approval } = ctx.settings;
  if (!approval) return undefined;
  return milestone(ctx, 'approval-requested', {
    approval: { timeoutMinutes: approval.timeoutMinutes, onTimeout: approval.onTimeout },
  }).next(
    poll(
      ctx,
      KEY_STATES.approval,
      'check-approval',
      { groupName: STATE.standbyGroup, onTimeout: approval.onTimeout },
      approvalWait(approval),
    ),
  );
}

/**
 * The abort: the new version leaves the synthetic target group and its group is emptied; production never
 * saw it. A failure here needs an operator (`onFailure`).
 */
export function abort(ctx: DefinitionContext, onFailure: sfn.IChainable): sfn.Parallel {
  const group = STATE.standbyGroup;
  const detach = task(ctx, 'Abort: detach new group from synthetic target group', 'detach-target-groups', {
    groupName: group,
    targetGroupArns: [ctx.settings.targetGroups.synthetic],
  });
  const scaleToZero = task(ctx, 'Abort: scale new group to zero', 'scale-group-to-zero', {
    groupName: group,
  });
  // With keepFailedFleetMinutes, the fleet the checks failed stays running for debugging, out of every
  // target group (it never was in the main one before the shift).
  const kept = keepFailedFleet(ctx, KEEP_STATES.failedFleetAfterAbort, scaleToZero);
  return phase(
    ctx.scope,
    KEY_STATES.abort,
    sfn.Chain.start(detach)
      .next(kept ? kept.next(scaleToZero) : scaleToZero)
      .next(
        poll(
          ctx,
          'Abort: wait until new group is empty',
          'check-group-empty',
          { groupName: group },
          ctx.settings.waits.groupEmpty,
        ),
      ),
    onFailure,
    CLEANUP_FAILURE_PATH,
  );
}
