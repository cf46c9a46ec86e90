import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { describeGroups, OPERATOR_REQUEST_TAG, operatorRequestOf } from './aws/auto-scaling';
import { InconsistentAccountError, RollbackRequestedError } from './errors';

/**
 * Describes `groupName` for a wait's check and, in the same call, honours an operator's `rollback` request
 * tagged on `requestGroup` (the group receiving the new version) by throwing: the phase's routing then
 * aborts before the traffic shift and rolls back after it (docs/design.md#operator-requests-at-any-phase). Only the waits from the launch
 * on pass `requestGroup`: the launch clears a request left by an earlier deployment, so what they see was
 * asked of this one.
 */
export async function describeForWait(
  groupName: string,
  requestGroup: string | undefined,
  waitingFor: string,
): Promise<AutoScalingGroup> {
  const names =
    requestGroup === undefined || requestGroup === groupName ? [groupName] : [groupName, requestGroup];
  const groups = await describeGroups(names);
  const named = (name: string) => groups.find((group) => group.AutoScalingGroupName === name);
  const requester = requestGroup === undefined ? undefined : named(requestGroup);
  if (requester) stopIfRollbackRequested(requester, waitingFor);
  const group = named(groupName);
  if (!group) {
    throw new InconsistentAccountError(
      `Auto Scaling group "${groupName}" does not exist: check the group names in the deployment configuration.`,
    );
  }
  return group;
}

/** Every wait honours an operator's stop: a `rollback` request on the group receiving the new version. */
export function stopIfRollbackRequested(requester: AutoScalingGroup, waitingFor: string): void {
  if (operatorRequestOf(requester) !== 'rollback') return;
  throw new RollbackRequestedError(
    `An operator asked to stop the deployment (tag ${OPERATOR_REQUEST_TAG}=rollback on ` +
      `${requester.AutoScalingGroupName ?? ''}) while waiting for ${waitingFor}.`,
  );
}
