import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { JsonPathRef } from '../payload';
import { poll, task, type DefinitionContext } from '../tasks';
import { keepFailedFleet } from './keep-fleets';

export interface RemovalStates {
  readonly detach: string;
  readonly waitDetached: string;
  readonly empty: string;
  readonly waitEmpty: string;
  /** The failed new fleet's keep for debugging, once it has left (keepFailedFleetMinutes). [none] */
  readonly keepForDebugging?: string;
}

/**
 * A group leaves every target group, then is emptied: the new group in a rollback, the old one when
 * finishing. The detach only starts the drain: the traffic source stays `Removing` while ELB waits out the
 * deregistration delay for in-flight requests (TrafficSourceState, "Removing":
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_TrafficSourceState.html; DetachTrafficSources:
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DetachTrafficSources.html). Neither page, nor
 * the user guide, says that a scale-in begun meanwhile waits for that drain before terminating the
 * instances, so the group is emptied only once it has left.
 */
export function removeGroup(
  ctx: DefinitionContext,
  group: JsonPathRef<string>,
  names: RemovalStates,
  emptyWith: 'scale-group-to-zero' | 'retire-old-fleet',
): sfn.Chain {
  const { main, synthetic } = ctx.settings.targetGroups;
  const { waits } = ctx.settings;
  const targetGroups = { groupName: group, targetGroupArns: [main, synthetic] };
  const empty =
    emptyWith === 'scale-group-to-zero'
      ? task(ctx, names.empty, 'scale-group-to-zero', { groupName: group })
      : task(ctx, names.empty, 'retire-old-fleet', { groupName: group });
  const kept = names.keepForDebugging && keepFailedFleet(ctx, names.keepForDebugging, empty);
  return sfn.Chain.start(task(ctx, names.detach, 'detach-target-groups', targetGroups))
    .next(
      poll(ctx, names.waitDetached, 'check-target-groups-detached', targetGroups, waits.targetGroupsDetached),
    )
    .next(kept ? kept.next(empty) : empty)
    .next(poll(ctx, names.waitEmpty, 'check-group-empty', { groupName: group }, waits.groupEmpty));
}
