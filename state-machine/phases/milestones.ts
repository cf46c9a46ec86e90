import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { MILESTONE_STATES, type ProgressMilestone } from '../../lambdas/shared/contract';
import type { Payload } from '../payload';
import type { StepInput } from '../step-registry';
import { task, type DefinitionContext } from '../tasks';
import { STATE } from './state';

type MilestoneInput<M extends ProgressMilestone> = Extract<StepInput<'publish-milestone'>, { milestone: M }>;
/** What a milestone adds to what every milestone is sent. */
type MilestoneFields<M extends ProgressMilestone> = Omit<
  Payload<MilestoneInput<M>>,
  'milestone' | 'applicationName' | 'notificationTopicArn' | 'execution' | 'amiId' | 'roles'
>;

/**
 * Announces a milestone (docs/events.md) and goes on, whatever happens: the step itself never fails for
 * AWS's sake, and any failure it could still meet (its Lambda throttled past the retries, a timeout) is
 * caught here and leads to "<state> (not announced)", which goes on the same way. So a milestone can never
 * send its phase to the abort, the rollback or the manual-action path. On the happy path it costs one
 * state transition.
 */
export function milestone<M extends ProgressMilestone>(
  ctx: DefinitionContext,
  which: M,
  fields: MilestoneFields<M>,
): sfn.Chain {
  const name = MILESTONE_STATES[which];
  const announce = task(ctx, name, 'publish-milestone', {
    milestone: which,
    applicationName: ctx.settings.applicationName,
    notificationTopicArn: ctx.settings.notificationTopicArn ?? null,
    execution: STATE.execution,
    amiId: STATE.amiId,
    roles: STATE.roles,
    ...fields,
  } as Payload<StepInput<'publish-milestone'>>);
  const notAnnounced = new sfn.Pass(ctx.scope, `${name} (not announced)`);
  announce.addCatch(notAnnounced, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
  return sfn.Chain.custom(announce, [announce, notAnnounced], announce);
}
