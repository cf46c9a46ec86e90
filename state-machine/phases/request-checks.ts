import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ADMISSION_STATES, KEY_STATES, RECOVERY_STATES } from '../../lambdas/shared/contract';
import { onAnyFailure } from '../error-routing';
import { ref, type JsonPathRef, type Payload } from '../payload';
import type { StepInput } from '../step-registry';
import { poll, RESULT_IS_STATE, task, type DefinitionContext } from '../tasks';
import { STATE } from './state';

/**
 * Longer than ListExecutions takes to show a new execution (docs/aws-facts/step-functions.md#listexecutions).
 */
const GUARD_SETTLE = Duration.seconds(20);

/**
 * Request checks (phase 1 of docs/design.md#the-flow): they change nothing, so a failure is a rejection with nothing to clean up (I8). An AMI
 * of another application ends as skipped, an AMI that already serves as nothing to do. The chain ends once the account is known to take the deployment.
 */
export function requestChecks(
  ctx: DefinitionContext,
  ends: {
    readonly nothingToRecover: sfn.IChainable;
    readonly rejected: sfn.IChainable;
    readonly skipped: sfn.IChainable;
    readonly alreadyServing: sfn.IChainable;
    readonly notNewer: sfn.IChainable;
    readonly duplicate: sfn.IChainable;
    readonly superseded: sfn.IChainable;
  },
  cleanups: Cleanups,
): sfn.Chain {
  // The execution input may be any JSON value (an array, a string, null…), and only the validation step may
  // judge it. So no path is applied to it: the request is read from the context object, the state input
  // discarded. A path applied to a null input fails with States.Runtime ("Unable to apply Path
  // transformation to null or empty input", intended per AWS: github.com/awslabs/states-language/issues/29),
  // and States.ALL does not catch States.Runtime (developer guide, "Handling errors in Step Functions
  // workflows"): the execution would end without a word.
  const validate = validation(ctx, KEY_STATES.validate, ref('$$.Execution.Input'), ends.rejected);

  const request = {
    execution: STATE.execution,
    amiId: STATE.amiId,
    trigger: ref('$.trigger'),
    whileDeploying: ctx.settings.whileDeploying,
    amiSelector: ctx.settings.amiSelector,
  };
  const guard = (name: string) =>
    task(ctx, name, 'guard-single-deployment', request, { resultPath: '$.guard' });
  const guardFirst = guard(ADMISSION_STATES.guard.first);
  // ListExecutions is eventually consistent (docs/aws-facts/step-functions.md#listexecutions): two executions
  // started together may not list each other yet. Looking again once both are visible lets the tie-break
  // admit exactly one (I5).
  const guardAgain = guard(ADMISSION_STATES.guard.again);
  const resolveRoles = task(
    ctx,
    'Find the active and standby groups',
    'resolve-roles',
    { settings: STATE.settings },
    { resultPath: '$.roles' },
  );
  // After the pre-flight, so that what would block any deployment (an instance refresh about to replace the
  // fleet, a suspended Launch, a firing alarm) is refused for the AMI that serves too; then an AMI that
  // already serves, at the configured capacity, is nothing to do.
  const current = task(
    ctx,
    'Check whether this AMI already serves',
    'check-already-serving',
    {
      amiId: STATE.amiId,
      roles: STATE.roles,
      mainTargetGroupArn: ctx.settings.targetGroups.main,
      trigger: ref('$.trigger'),
      amiSelector: ctx.settings.amiSelector,
    },
    { resultPath: '$.current' },
  );
  // The pre-flight in two steps, each loading only its SDK clients; the second refuses with the problems of both.
  const trafficAndAlarms = task(
    ctx,
    'Check the load balancer and alarms',
    'check-traffic-and-alarms',
    {
      targetGroups: ref('$.settings.targetGroups'),
      syntheticHeader: ref('$.settings.syntheticChecks.header'),
      alarmNames: ref('$.settings.monitoring.alarmNames'),
      shift: ref('$.settings.shift'),
      waits: ref('$.settings.waits'),
    },
    { resultPath: '$.preflight' },
  );
  const preflight = task(ctx, 'Check the groups can take this deployment', 'preflight-checks', {
    groups: ref('$.settings.groups'),
    instanceRoleArns: ref('$.settings.instanceRoleArns'),
    roles: STATE.roles,
    problemsFound: ref('$.preflight.problems'),
    waits: ref('$.settings.waits'),
  });
  for (const step of [guardFirst, guardAgain, resolveRoles, trafficAndAlarms, preflight, current])
    onAnyFailure(step, ends.rejected);

  const alreadyServes = new sfn.Choice(ctx.scope, 'Does this AMI already serve?')
    .when(sfn.Condition.booleanEquals('$.current.alreadyServing', true), ends.alreadyServing)
    .when(sfn.Condition.booleanEquals('$.current.notNewer', true), ends.notNewer);
  const admitted = sfn.Chain.start(guardFirst)
    .next(
      new sfn.Wait(ctx.scope, ADMISSION_STATES.guard.settle, {
        time: sfn.WaitTime.duration(GUARD_SETTLE),
      }),
    )
    .next(guardAgain)
    .next(
      // An AMI event leaves an AMI another execution deploys to that one (docs/design.md#one-deployment-per-ami).
      new sfn.Choice(ctx.scope, ADMISSION_STATES.guard.duplicate)
        .when(sfn.Condition.isString('$.guard.duplicateOf'), ends.duplicate)
        .afterwards({ includeOtherwise: true }),
    );
  // The queue serves recoveries whatever whileDeploying says; with reject, no deployment request is queued.
  const checks = admitted
    .next(queue(ctx, request, ends, guardFirst))
    .next(recovery(ctx, cleanups, ends))
    .next(resolveRoles)
    .next(trafficAndAlarms)
    .next(preflight)
    .next(current)
    .next(alreadyServes);
  const ofThisApplication = new sfn.Choice(ctx.scope, ADMISSION_STATES.beforeGuard.ofThisApplication)
    .when(sfn.Condition.booleanEquals('$.skip', true), ends.skipped)
    .otherwise(
      new sfn.Choice(ctx.scope, RECOVERY_STATES.isRecovery)
        .when(sfn.Condition.isString('$.recoverFrom'), recoveryVerdict(ctx, ends, admitted))
        .otherwise(checks),
    );
  // An EC2 Image Builder request names its image; its AMI is found, then validated like any other.
  const validated = builtAmi(ctx, validate, ends);
  // An AMI event may come before the AMI's tags (docs/design.md#late-tags): wait for them, then validate again.
  const tagKey = ctx.settings.amiSelector.tag?.key;
  if (tagKey === undefined) {
    validated.next(ofThisApplication);
  } else {
    const waitForTags = poll(
      ctx,
      ADMISSION_STATES.beforeGuard.waitForTags,
      'check-ami-tags',
      { amiId: STATE.amiId, tagKey },
      ctx.settings.waits.amiTags,
    );
    onAnyFailure(waitForTags.check, ends.rejected);
    waitForTags.next(validate);
    validated.next(
      new sfn.Choice(ctx.scope, ADMISSION_STATES.beforeGuard.tagsThere)
        .when(sfn.Condition.booleanEquals('$.tagsPending', true), waitForTags)
        .otherwise(ofThisApplication),
    );
  }
  // The deployment goes on from the Choice's default branch.
  const goOn = alreadyServes.afterwards({ includeOtherwise: true });
  return sfn.Chain.custom(validate, goOn.endStates, alreadyServes);
}

/**
 * The queue (docs/design.md#newest-wins): a request a newer one supersedes ends as skipped; one behind a
 * running deployment, or behind a recovery, waits for it to end, then the guard looks again, twice.
 */
function queue(
  ctx: DefinitionContext,
  request: Payload<Omit<StepInput<'wait-for-turn'>, 'wait' | 'timeoutSeconds'>>,
  ends: { readonly superseded: sfn.IChainable; readonly rejected: sfn.IChainable },
  guard: sfn.IChainable,
): sfn.Chain {
  const waitForTurn = poll(
    ctx,
    ADMISSION_STATES.guard.waitForTurn,
    'wait-for-turn',
    request,
    ctx.settings.waits.turn,
  );
  onAnyFailure(waitForTurn.check, ends.rejected);
  waitForTurn.next(guard);
  return new sfn.Choice(ctx.scope, ADMISSION_STATES.guard.ahead)
    .when(sfn.Condition.isString('$.guard.supersededBy'), ends.superseded)
    .when(sfn.Condition.isString('$.guard.queuedBehind'), waitForTurn)
    .afterwards({ includeOtherwise: true });
}

/**
 * A validation: the request (any JSON value) and the AMI it names, its result the state. A failed
 * validation's error cannot be put at `$.failure` of an input that is not a JSON object (ResultPath on a
 * non-object is States.ResultPathMatchFailure: Amazon States Language, "Runtime Errors"; the execution would
 * end unreported); it replaces the input, and a Pass puts it where the report reads it.
 */
function validation(
  ctx: DefinitionContext,
  name: string,
  request: Payload<StepInput<'validate-request'>>['request'],
  rejected: sfn.IChainable,
): ReturnType<typeof task> {
  const validate = task(
    ctx,
    name,
    'validate-request',
    {
      request,
      config: ctx.settings,
      execution: {
        id: ref('$$.Execution.Id'),
        name: ref('$$.Execution.Name'),
        stateMachineArn: ref('$$.StateMachine.Id'),
        startTime: ref('$$.Execution.StartTime'),
      },
    },
    // The first validation reads nothing from its input, which may be any JSON value; the second reads the AMI
    // the image built from the state.
    { resultPath: RESULT_IS_STATE, ...(name === KEY_STATES.validate && { inputPath: sfn.JsonPath.DISCARD }) },
  );
  const refused =
    (ctx.scope.node.tryFindChild(ADMISSION_STATES.endings.refused) as sfn.Pass | undefined) ??
    new sfn.Pass(ctx.scope, ADMISSION_STATES.endings.refused, { parameters: { 'failure.$': '$' } }).next(
      rejected,
    );
  // ResultPath "$" (the default): the error output replaces the input.
  validate.addCatch(refused, { errors: [sfn.Errors.ALL] });
  return validate;
}

/**
 * With `imageBuilder` configured (docs/design.md#ec2-image-builder): an Image Builder request's image names
 * the AMI it built, which is then validated like any other request's; an image that is not this
 * application's release ends as skipped. Returns what the validated state leaves from.
 */
function builtAmi(
  ctx: DefinitionContext,
  validate: ReturnType<typeof task>,
  ends: { readonly rejected: sfn.IChainable; readonly skipped: sfn.IChainable },
): { next(state: sfn.IChainable): void } {
  const imageBuilder = ctx.settings.imageBuilder;
  if (imageBuilder === undefined) return validate;
  const find = task(
    ctx,
    ADMISSION_STATES.beforeGuard.findBuiltAmi,
    'find-built-ami',
    {
      // The Choice below routes here only a state whose imageBuildVersionArn is a string.
      imageBuildVersionArn: ref('$.imageBuildVersionArn') as JsonPathRef<string>,
      imageBuilder,
      execution: STATE.execution,
    },
    { resultPath: '$.built' },
  );
  const validateBuilt = validation(
    ctx,
    ADMISSION_STATES.beforeGuard.validateBuilt,
    { amiId: ref('$.built.amiId'), trigger: 'image-builder' },
    ends.rejected,
  );
  onAnyFailure(find, ends.rejected);
  const notOurs = new sfn.Pass(ctx.scope, ADMISSION_STATES.beforeGuard.notBuiltForUs, {
    inputPath: '$.built.reason',
    resultPath: '$.skipReason',
  }).next(ends.skipped);
  const fromImageBuilder = new sfn.Choice(ctx.scope, ADMISSION_STATES.beforeGuard.fromImageBuilder).when(
    sfn.Condition.isString('$.imageBuildVersionArn'),
    find.next(
      new sfn.Choice(ctx.scope, ADMISSION_STATES.beforeGuard.builtForUs)
        .when(sfn.Condition.isNull('$.built.amiId'), notOurs)
        .otherwise(validateBuilt),
    ),
  );
  validate.next(fromImageBuilder);
  return {
    next(state) {
      fromImageBuilder.otherwise(state);
      validateBuilt.next(state);
    },
  };
}

/** The clean-ups a recovery may resume, each a phase's Parallel state (state-machine/definition.ts). */
export interface Cleanups {
  readonly abort: sfn.IChainable;
  readonly rollback: sfn.IChainable;
  readonly finish: sfn.IChainable;
}

/**
 * A recovery's verdict, before the guard (docs/recovery.md): most recoveries follow a deployment whose own
 * clean-up ran, and end here, quietly, without holding a deployment back (with `whileDeploying: reject` a
 * release started just after a failure would otherwise be refused for them). One with something to do
 * goes on to the guard, which lets it go first.
 */
function recoveryVerdict(
  ctx: DefinitionContext,
  ends: { readonly nothingToRecover: sfn.IChainable; readonly rejected: sfn.IChainable },
  admitted: sfn.IChainable,
): sfn.IChainable {
  const check = task(
    ctx,
    RECOVERY_STATES.check,
    'plan-recovery',
    // The Choice before routes here only a state whose recoverFrom is a string.
    { recoverFrom: ref('$.recoverFrom') as JsonPathRef<string>, verdictOnly: true },
    { resultPath: '$.recovery' },
  );
  onAnyFailure(check, ends.rejected);
  return check.next(
    new sfn.Choice(ctx.scope, RECOVERY_STATES.anything)
      .when(sfn.Condition.stringEquals('$.recovery.action', 'none'), ends.nothingToRecover)
      .otherwise(admitted),
  );
}

/**
 * A recovery (docs/recovery.md), once the guard lets it go first: find where the stopped deployment
 * was, take its last state, and resume the clean-up it needs; or end with nothing to recover (a deployment
 * started since changed the account meanwhile). A deployment request goes on to the checks.
 */
function recovery(
  ctx: DefinitionContext,
  cleanups: Cleanups,
  ends: { readonly nothingToRecover: sfn.IChainable; readonly rejected: sfn.IChainable },
): sfn.Chain {
  const plan = task(
    ctx,
    RECOVERY_STATES.plan,
    'plan-recovery',
    // The Choice below routes here only a state whose recoverFrom is a string.
    { recoverFrom: ref('$.recoverFrom') as JsonPathRef<string>, execution: STATE.execution },
    { resultPath: RESULT_IS_STATE },
  );
  onAnyFailure(plan, ends.rejected);
  const action = (name: string) => sfn.Condition.stringEquals('$.recovery.action', name);
  plan.next(
    new sfn.Choice(ctx.scope, RECOVERY_STATES.route)
      .when(action('abort'), cleanups.abort)
      .when(action('rollback'), cleanups.rollback)
      .when(action('finish'), cleanups.finish)
      .otherwise(ends.nothingToRecover),
  );
  return new sfn.Choice(ctx.scope, RECOVERY_STATES.itsTurn)
    .when(sfn.Condition.isString('$.recoverFrom'), plan)
    .afterwards({ includeOtherwise: true });
}
