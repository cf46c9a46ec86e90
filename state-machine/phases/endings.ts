import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  ADMISSION_STATES,
  FAILURE_ERRORS,
  RECOVERY_STATES,
  type Outcome,
} from '../../lambdas/shared/contract';
import { CLEANUP_FAILURE_PATH } from '../error-routing';
import { ref, type Payload } from '../payload';
import type { StepInput } from '../step-registry';
import { task, type DefinitionContext } from '../tasks';
import { FIRST_DEPLOYMENT, STATE } from './state';

type ReportFields = Omit<
  Payload<StepInput<'report-outcome'>>,
  'outcome' | 'applicationName' | 'executionName' | 'executionArn' | 'notificationTopicArn'
>;

/**
 * Every way a deployment ends, each reported in plain words (to the topic, and as the `outcome` milestone
 * event on EventBridge) before its final state: a Fail state's error is the outcome operators and the CLI
 * read.
 */
export function endings(ctx: DefinitionContext) {
  const report = (name: string, outcome: Outcome, fields: ReportFields) =>
    task(
      ctx,
      name,
      'report-outcome',
      {
        outcome,
        applicationName: ctx.settings.applicationName,
        executionName: ref('$$.Execution.Name'),
        executionArn: ref('$$.Execution.Id'),
        notificationTopicArn: ctx.settings.notificationTopicArn ?? null,
        ...fields,
      },
      { resultPath: '$.outcome' },
    );
  const fail = (name: string, error: string) =>
    new sfn.Fail(ctx.scope, name, { error, causePath: '$.outcome.message' });
  /** An ending that succeeds: reported, then `Succeed` with the report as the execution's output. */
  const succeedAfter = (reportName: string, outcome: Outcome, fields: ReportFields, endName: string) =>
    report(reportName, outcome, fields).next(
      new sfn.Succeed(ctx.scope, endName, { outputPath: '$.outcome' }),
    );
  const deployed = { amiId: STATE.amiId, roles: STATE.roles, failure: STATE.failure };
  const manualActionNeeded = fail('Manual action needed', FAILURE_ERRORS.manualAction);

  return {
    rejected: report(ADMISSION_STATES.endings.reportRejected, 'rejected', { failure: STATE.failure }).next(
      fail(ADMISSION_STATES.endings.rejected, FAILURE_ERRORS.rejected),
    ),
    skipped: succeedAfter(
      ADMISSION_STATES.endings.reportSkipped,
      'skipped',
      { amiId: STATE.amiId, skipReason: ref('$.skipReason') },
      ADMISSION_STATES.endings.skipped,
    ),
    notNewer: succeedAfter(
      ADMISSION_STATES.endings.reportNotNewer,
      'skipped',
      { amiId: STATE.amiId, skipReason: ref('$.current.detail') },
      ADMISSION_STATES.endings.notNewer,
    ),
    duplicate: succeedAfter(
      ADMISSION_STATES.endings.reportDuplicate,
      'skipped',
      { amiId: STATE.amiId, skipReason: ref('$.guard.duplicateOf') },
      ADMISSION_STATES.endings.duplicate,
    ),
    superseded: succeedAfter(
      ADMISSION_STATES.endings.reportSuperseded,
      'skipped',
      { amiId: STATE.amiId, skipReason: ref('$.guard.supersededBy') },
      ADMISSION_STATES.endings.superseded,
    ),
    // Quiet: most recoveries (one follows every failed deployment) find the clean-up done, and a second
    // notification for one failure would only confuse. The output has the report's shape.
    nothingToRecover: new sfn.Pass(ctx.scope, RECOVERY_STATES.sayWhyNothing, {
      parameters: {
        outcome: 'skipped',
        amiId: null,
        activeGroup: null,
        previousGroup: null,
        'reason.$': '$.recovery.skipReason',
        'message.$': "States.Format('Recovery: {}; nothing was changed.', $.recovery.skipReason)",
      },
      resultPath: '$.outcome',
    }).next(new sfn.Succeed(ctx.scope, RECOVERY_STATES.nothing, { outputPath: '$.outcome' })),
    alreadyServing: succeedAfter(
      ADMISSION_STATES.endings.reportNothingToDo,
      'already-serving',
      { amiId: STATE.amiId, roles: STATE.roles, skipReason: ref('$.current.detail') },
      ADMISSION_STATES.endings.nothingToDo,
    ),
    aborted: report('Report: deployment aborted', 'aborted', deployed).next(
      fail('Deployment aborted (production untouched)', FAILURE_ERRORS.aborted),
    ),
    rolledBack: new sfn.Choice(ctx.scope, 'Was there an old version to return to?')
      .when(
        FIRST_DEPLOYMENT,
        report('Report: first version kept serving', 'kept-serving', deployed).next(
          fail('First version kept serving (it failed its window)', FAILURE_ERRORS.keptServing),
        ),
      )
      .otherwise(
        report('Report: deployment rolled back', 'rolled-back', deployed).next(
          fail('Deployment rolled back', FAILURE_ERRORS.rolledBack),
        ),
      ),
    manualAction: report('Report: manual action needed', 'manual-action-needed', deployed).next(
      manualActionNeeded,
    ),
    // When the abort or the rollback itself fails, the report keeps both failures: what started the
    // clean-up and what stopped it.
    cleanupFailed: report('Report: clean-up failed, manual action needed', 'manual-action-needed', {
      ...deployed,
      cleanupFailure: ref(CLEANUP_FAILURE_PATH),
    }).next(manualActionNeeded),
    succeeded: succeedAfter(
      'Report: deployment succeeded',
      'succeeded',
      // What the old group launched: the record an undo deploys again (docs/design.md#undo).
      { amiId: STATE.amiId, roles: STATE.roles, previousAmiId: ref('$.current.servingAmiId') },
      'Deployment succeeded',
    ),
  };
}

export type Endings = ReturnType<typeof endings>;
