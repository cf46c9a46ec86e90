import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { MAX_ROLLBACK_WINDOW_MINUTES, type Settings } from '../lambdas/shared/settings';
import { CLEANUP_FAILURE_PATH, onAnyFailure, phase } from './error-routing';
import { FAILURE_ERRORS } from './failure-errors';
import { PollUntilDone, seconds } from './polling';
import { lambdaStep } from './step';
import type { StepFunctions } from './step-handlers';

export interface DefinitionProps {
  readonly steps: StepFunctions;
  /** Validated settings, embedded in the definition and re-validated with the execution's overrides. */
  readonly settings: Settings;
}

/** The outcomes the Fail states below report (kept in failure-errors.ts, which loads no aws-cdk-lib). */
export { FAILURE_ERRORS };

/** Longer than ListExecutions takes to show a new execution (AWS-FACTS: eventually consistent). */
const GUARD_SETTLE = Duration.seconds(20);

const STANDBY = '$.roles.standby.groupName';
const ACTIVE = '$.roles.active.groupName';
const FIRST_DEPLOYMENT = sfn.Condition.booleanEquals('$.roles.firstDeployment', true);

/**
 * The deployment of DESIGN §2, read top to bottom as the console shows it:
 * request checks → prepare the new version (failure: abort) → shift traffic and monitor (failure: roll
 * back) → finish. Cleanup paths that fail end in "manual action needed"; every ending reports in plain words.
 */
export function deploymentDefinition(scope: Construct, props: DefinitionProps): sfn.IChainable {
  const { steps, settings } = props;
  const { main, synthetic } = settings.targetGroups;
  const waits = settings.waits;
  const poll = (
    name: string,
    check: keyof StepFunctions,
    payload: Record<string, unknown>,
    wait: Settings['waits'][keyof Settings['waits']],
  ) =>
    new PollUntilDone(scope, name, {
      check: steps[check],
      payload,
      interval: seconds(wait.intervalSeconds),
      timeout: seconds(wait.timeoutSeconds),
    });

  const report = (name: string, outcome: string, fields: Record<string, unknown>) =>
    lambdaStep(
      scope,
      name,
      steps['report-outcome'],
      {
        outcome,
        applicationName: settings.applicationName,
        'executionName.$': '$$.Execution.Name',
        notificationTopicArn: settings.notificationTopicArn ?? null,
        ...fields,
      },
      { resultPath: '$.outcome' },
    );
  const fail = (name: string, error: string) =>
    new sfn.Fail(scope, name, { error, causePath: '$.outcome.message' });
  const deployed = { 'amiId.$': '$.amiId', 'roles.$': '$.roles', 'failure.$': '$.failure' };

  // Endings.
  const rejected = report('Report: deployment rejected', 'rejected', { 'failure.$': '$.failure' }).next(
    fail('Deployment rejected (nothing changed)', FAILURE_ERRORS.rejected),
  );
  const manualActionNeeded = fail('Manual action needed', FAILURE_ERRORS.manualAction);
  const manualAction = report('Report: manual action needed', 'manual-action-needed', deployed).next(
    manualActionNeeded,
  );
  // When the abort or the rollback itself fails, the report keeps both failures: what started the clean-up
  // and what stopped it.
  const cleanupFailed = report('Report: clean-up failed, manual action needed', 'manual-action-needed', {
    ...deployed,
    'cleanupFailure.$': CLEANUP_FAILURE_PATH,
  }).next(manualActionNeeded);

  // 1–3. Request checks: they change nothing, so a failure is a rejection with nothing to clean up (I8).
  // The execution input may be any JSON value (an array, a string, null…), and only the validation step may
  // judge it. So no path is applied to it: the request is read from the context object, the state input
  // discarded. A path applied to a null input fails with States.Runtime ("Unable to apply Path
  // transformation to null or empty input", intended per AWS: github.com/awslabs/states-language/issues/29),
  // and States.ALL does not catch States.Runtime (developer guide, "Handling errors in Step Functions
  // workflows"): the execution would end without a word.
  const validate = lambdaStep(
    scope,
    'Validate deployment request',
    steps['validate-request'],
    {
      'request.$': '$$.Execution.Input',
      config: settings,
      execution: {
        'id.$': '$$.Execution.Id',
        'name.$': '$$.Execution.Name',
        'stateMachineArn.$': '$$.StateMachine.Id',
        'startTime.$': '$$.Execution.StartTime',
      },
    },
    { inputPath: sfn.JsonPath.DISCARD },
  );
  const guardStep = (name: string) =>
    lambdaStep(
      scope,
      name,
      steps['guard-single-deployment'],
      { 'execution.$': '$.execution' },
      {
        resultPath: sfn.JsonPath.DISCARD,
      },
    );
  const guard = guardStep('Make sure no other deployment is running');
  // ListExecutions is eventually consistent (AWS-FACTS): two executions started together may not list each
  // other yet. Looking again once both are visible lets the tie-break admit exactly one (I5).
  const guardAgain = guardStep('Make sure no other deployment started meanwhile');
  guard
    .next(
      new sfn.Wait(scope, 'Let simultaneous starts become visible', {
        time: sfn.WaitTime.duration(GUARD_SETTLE),
      }),
    )
    .next(guardAgain);
  const resolveRoles = lambdaStep(
    scope,
    'Find the active and standby groups',
    steps['resolve-roles'],
    { 'settings.$': '$.settings' },
    { resultPath: '$.roles' },
  );
  const preflight = lambdaStep(
    scope,
    'Check the account can take this deployment',
    steps['preflight-checks'],
    { 'settings.$': '$.settings', 'roles.$': '$.roles' },
    { resultPath: sfn.JsonPath.DISCARD },
  );
  // A failed validation's error cannot be put at `$.failure` of an input that is not a JSON object (ResultPath
  // on a non-object is States.ResultPathMatchFailure: Amazon States Language, "Runtime Errors"; the execution
  // would end unreported); it replaces the input, and a Pass puts it where the report reads it.
  validate.addCatch(
    new sfn.Pass(scope, 'Keep why the request was refused', {
      parameters: { 'failure.$': '$' },
    }).next(rejected),
    { errors: [sfn.Errors.ALL] }, // ResultPath "$" (the default): the error output replaces the input
  );
  for (const task of [guard, guardAgain, resolveRoles, preflight]) onAnyFailure(task, rejected);

  const skipped = report('Report: not this application’s AMI', 'skipped', {
    'amiId.$': '$.amiId',
    'skipReason.$': '$.skipReason',
  }).next(new sfn.Succeed(scope, 'Skipped (nothing changed)', { outputPath: '$.outcome' }));

  // 4–8. Prepare and prove the new version; production is untouched until this phase has passed (I2).
  const abort = phase(
    scope,
    'Abort: remove the new version',
    sfn.Chain.start(
      lambdaStep(
        scope,
        'Abort: detach new group from synthetic target group',
        steps['detach-target-groups'],
        { 'groupName.$': STANDBY, targetGroupArns: [synthetic] },
        { resultPath: sfn.JsonPath.DISCARD },
      ),
    )
      .next(
        lambdaStep(
          scope,
          'Abort: scale new group to zero',
          steps['scale-group-to-zero'],
          { 'groupName.$': STANDBY },
          {
            resultPath: sfn.JsonPath.DISCARD,
          },
        ),
      )
      .next(
        poll(
          'Abort: wait until new group is empty',
          'check-group-empty',
          { 'groupName.$': STANDBY },
          waits.groupEmpty,
        ),
      ),
    cleanupFailed,
    CLEANUP_FAILURE_PATH,
  )
    .next(report('Report: deployment aborted', 'aborted', deployed))
    .next(fail('Deployment aborted (production untouched)', FAILURE_ERRORS.aborted));

  const prepare = phase(
    scope,
    'Prepare the new version (production untouched)',
    sfn.Chain.start(
      lambdaStep(
        scope,
        'Scale standby group to zero',
        steps['scale-group-to-zero'],
        { 'groupName.$': STANDBY },
        {
          resultPath: sfn.JsonPath.DISCARD,
        },
      ),
    )
      .next(
        poll(
          'Wait until standby group is empty',
          'check-group-empty',
          { 'groupName.$': STANDBY },
          waits.groupEmpty,
        ),
      )
      .next(
        lambdaStep(
          scope,
          'Launch new version on standby group',
          steps['launch-new-version'],
          {
            'groupName.$': STANDBY,
            'amiId.$': '$.amiId',
            'capacity.$': '$.roles.targetCapacity',
            'execution.$': '$.execution',
          },
          { resultPath: '$.release' },
        ),
      )
      .next(
        poll(
          'Wait until new instances are in service',
          'check-instances-in-service',
          {
            'groupName.$': STANDBY,
            'launchTemplateVersion.$': '$.release.version',
            'desiredCapacity.$': '$.roles.targetCapacity.desired',
          },
          waits.instancesInService,
        ),
      )
      .next(
        lambdaStep(
          scope,
          'Attach new group to synthetic target group',
          steps['attach-target-groups'],
          { 'groupName.$': STANDBY, targetGroupArns: [synthetic] },
          { resultPath: sfn.JsonPath.DISCARD },
        ),
      )
      .next(
        poll(
          'Wait until new targets are healthy in synthetic target group',
          'check-targets-healthy',
          { 'groupName.$': STANDBY, targetGroupArn: synthetic },
          waits.syntheticTargetsHealthy,
        ),
      )
      .next(
        lambdaStep(
          scope,
          'Run synthetic checks',
          steps['run-synthetic-checks'],
          { 'syntheticChecks.$': '$.settings.syntheticChecks', 'amiId.$': '$.amiId' },
          { resultPath: sfn.JsonPath.DISCARD, timeout: syntheticChecksTimeout(settings) },
        ),
      ),
    abort,
  );

  // 12. Roll back: the old fleet serves again before the new group leaves (I1), then the new group drains
  // from its target groups and goes.
  const restoreOldFleet = lambdaStep(
    scope,
    'Put old fleet back in service',
    steps['restore-old-fleet'],
    { 'groupName.$': ACTIVE, mainTargetGroupArn: main, 'capacity.$': '$.roles.active.capacity' },
    { resultPath: sfn.JsonPath.DISCARD },
  );
  const removeNewGroup = lambdaStep(
    scope,
    'Rollback: detach new group from target groups',
    steps['detach-target-groups'],
    { 'groupName.$': STANDBY, targetGroupArns: [main, synthetic] },
    { resultPath: sfn.JsonPath.DISCARD },
  );
  const newGroupRemoved = sfn.Chain.start(removeNewGroup)
    .next(
      // The detach only starts the drain: the traffic source stays `Removing` while ELB waits out the
      // deregistration delay for in-flight requests (TrafficSourceState, "Removing":
      // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_TrafficSourceState.html; DetachTrafficSources:
      // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DetachTrafficSources.html). Neither
      // page, nor the user guide, says that a scale-in begun meanwhile waits for that drain before
      // terminating the instances, so the rollback waits until the group has left, as finishing does.
      poll(
        'Rollback: wait until new group has left target groups',
        'check-target-groups-detached',
        { 'groupName.$': STANDBY, targetGroupArns: [main, synthetic] },
        waits.targetGroupsDetached,
      ),
    )
    .next(
      lambdaStep(
        scope,
        'Rollback: scale new group to zero',
        steps['scale-group-to-zero'],
        { 'groupName.$': STANDBY },
        {
          resultPath: sfn.JsonPath.DISCARD,
        },
      ),
    )
    .next(
      poll(
        'Rollback: wait until new group is empty',
        'check-group-empty',
        { 'groupName.$': STANDBY },
        waits.groupEmpty,
      ),
    );
  restoreOldFleet
    .next(
      poll(
        'Wait until old targets are healthy in main target group',
        'check-targets-healthy',
        { 'groupName.$': ACTIVE, targetGroupArn: main },
        waits.rollbackRecovery,
      ),
    )
    .next(removeNewGroup);
  // A first deployment has no old version to return to: removing the new one would leave users who came
  // during the window with nothing (503s). It keeps serving, out of the synthetic target group only, and the
  // execution fails loudly for an operator to deploy a fix.
  const keepFirstVersion = lambdaStep(
    scope,
    'Rollback: keep first version serving, detach it from synthetic target group',
    steps['detach-target-groups'],
    { 'groupName.$': STANDBY, targetGroupArns: [synthetic] },
    { resultPath: sfn.JsonPath.DISCARD },
  );
  const restoreChoice = new sfn.Choice(scope, 'Is there an old fleet to restore?')
    .when(FIRST_DEPLOYMENT, keepFirstVersion)
    .otherwise(restoreOldFleet);
  const rollback = phase(
    scope,
    'Roll back to the old version',
    sfn.Chain.custom(restoreChoice, [keepFirstVersion, ...newGroupRemoved.endStates], newGroupRemoved),
    cleanupFailed,
    CLEANUP_FAILURE_PATH,
  ).next(
    new sfn.Choice(scope, 'Was there an old version to return to?')
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
  );

  // 9–10. Shift traffic (add before remove, I1), then watch the new version for the rollback window.
  const monitor = new PollUntilDone(scope, 'Monitor new version during rollback window', {
    check: steps['monitor-new-version'],
    payload: { 'groupName.$': STANDBY, targetGroupArn: main, 'monitoring.$': '$.settings.monitoring' },
    interval: seconds(settings.monitoring.intervalSeconds),
  });
  const standOldFleetDown = lambdaStep(
    scope,
    'Put old fleet in standby',
    steps['enter-standby'],
    { 'groupName.$': ACTIVE, mainTargetGroupArn: main },
    { resultPath: sfn.JsonPath.DISCARD },
  );
  standOldFleetDown
    .next(
      poll(
        'Wait until old fleet is in standby',
        'check-instances-in-standby',
        { 'groupName.$': ACTIVE },
        waits.oldFleetInStandby,
      ),
    )
    .next(monitor);
  const shiftTraffic = sfn.Chain.start(
    lambdaStep(
      scope,
      'Attach new group to main target group',
      steps['attach-target-groups'],
      { 'groupName.$': STANDBY, targetGroupArns: [main] },
      { resultPath: sfn.JsonPath.DISCARD },
    ),
  )
    .next(
      poll(
        'Wait until new targets are healthy in main target group',
        'check-targets-healthy',
        { 'groupName.$': STANDBY, targetGroupArn: main },
        waits.mainTargetsHealthy,
      ),
    )
    .next(
      new sfn.Choice(scope, 'Is there an old fleet to stand down?')
        .when(FIRST_DEPLOYMENT, monitor)
        .otherwise(standOldFleetDown),
    );
  const shift = phase(
    scope,
    'Shift traffic and monitor',
    sfn.Chain.custom(shiftTraffic.startState, monitor.endStates, monitor),
    rollback,
  );

  // 11. Finish: the old group leaves every target group before anything could re-register it (I4).
  const retireOldFleet = lambdaStep(
    scope,
    'Detach old group from target groups',
    steps['detach-target-groups'],
    { 'groupName.$': ACTIVE, targetGroupArns: [main, synthetic] },
    { resultPath: sfn.JsonPath.DISCARD },
  );
  const oldFleetRetired = sfn.Chain.start(retireOldFleet)
    .next(
      poll(
        'Wait until old group has left target groups',
        'check-target-groups-detached',
        { 'groupName.$': ACTIVE, targetGroupArns: [main, synthetic] },
        waits.targetGroupsDetached,
      ),
    )
    .next(
      lambdaStep(
        scope,
        'Retire old fleet',
        steps['retire-old-fleet'],
        { 'groupName.$': ACTIVE },
        {
          resultPath: sfn.JsonPath.DISCARD,
        },
      ),
    )
    .next(
      poll('Wait until old group is empty', 'check-group-empty', { 'groupName.$': ACTIVE }, waits.groupEmpty),
    );
  const detachNewFromSynthetic = lambdaStep(
    scope,
    'Detach new group from synthetic target group',
    steps['detach-target-groups'],
    { 'groupName.$': STANDBY, targetGroupArns: [synthetic] },
    { resultPath: sfn.JsonPath.DISCARD },
  );
  const noOldFleet = new sfn.Pass(scope, 'No old fleet to retire');
  detachNewFromSynthetic.next(
    new sfn.Choice(scope, 'Is there an old fleet to retire?')
      .when(FIRST_DEPLOYMENT, noOldFleet)
      .otherwise(retireOldFleet),
  );
  const finish = phase(
    scope,
    'Finish deployment',
    sfn.Chain.custom(detachNewFromSynthetic, [noOldFleet, ...oldFleetRetired.endStates], oldFleetRetired),
    manualAction,
  );

  const succeeded = report('Report: deployment succeeded', 'succeeded', {
    'amiId.$': '$.amiId',
    'roles.$': '$.roles',
  }).next(new sfn.Succeed(scope, 'Deployment succeeded', { outputPath: '$.outcome' }));

  return sfn.Chain.start(validate).next(
    new sfn.Choice(scope, 'Is this an AMI of this application?')
      .when(sfn.Condition.booleanEquals('$.skip', true), skipped)
      .otherwise(
        sfn.Chain.custom(guard, [guardAgain], guardAgain)
          .next(resolveRoles)
          .next(preflight)
          .next(prepare)
          .next(shift)
          .next(finish)
          .next(succeeded),
      ),
  );
}

/** Every check and repetition may take up to its request timeout; leave a minute for the rest. */
function syntheticChecksTimeout(settings: Settings): Duration {
  const { checks, repetitions, requestTimeoutMs } = settings.syntheticChecks;
  const worstCaseSeconds = Math.ceil((checks.length * repetitions * requestTimeoutMs) / 1000) + 60;
  return Duration.seconds(Math.min(worstCaseSeconds, 900));
}

/**
 * Upper bound of one execution: every wait on its longest path (prepare, shift, window, rollback), with an
 * hour of margin for retries and API latency. The window counts at the longest an execution's override may
 * ask for, so an override can never be cut short by the timeout.
 */
export function executionTimeout(settings: Settings): Duration {
  const waitSeconds = Object.values(settings.waits).reduce((total, wait) => total + wait.timeoutSeconds, 0);
  const windowSeconds = Math.max(settings.monitoring.rollbackWindowMinutes, MAX_ROLLBACK_WINDOW_MINUTES) * 60;
  return Duration.seconds(waitSeconds * 2 + windowSeconds + 3_600);
}
