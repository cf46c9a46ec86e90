import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  attachedTargetGroupArns,
  attachMissingTargetGroups,
  describeEachGroup,
  enterStandby,
  exitAllStandby,
  instanceIds,
  instancesIn,
  listAttachedTargetGroups,
  OLD_FLEET_SUSPENDED_PROCESSES,
  updateCapacity,
} from '../shared/aws/auto-scaling';
import { resumeSuspendedByDeployment, suspendForDeployment } from '../shared/aws/deployment-processes';
import { describeListener, setDefaultActions, targetGroupName, targetHealth } from '../shared/aws/elb';
import { InconsistentAccountError, InvalidInputError, NotReadyError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { sameActions, weightedActions } from '../shared/listener-weights';
import { resizeAfterStandby } from '../shared/old-fleet';
import { stopIfRollbackRequested } from '../shared/operator-request';
import { InputSchema, type Input } from './input';

export interface Output {
  /** The share reached: the plan's next. */
  number: number;
  share: number;
}

/** Lifecycle states of the instances a group has to serve with: in service, or parked for later. */
const FLEET_STATES = [
  'InService',
  'Standby',
  'EnteringStandby',
  'Pending',
  'Pending:Wait',
  'Pending:Proceed',
];

/**
 * Gives the new version its next share of production traffic (docs/design.md#gradual-shift), adding before
 * anything is removed (I1): by weight, the listeners forward that share to the synthetic target group once
 * the new fleet there can carry it; by instances, that share of the new fleet serves in the main target group
 * (the rest waits in Standby), and the park that follows stands the same share of the old fleet down. At
 * 100 % the whole new fleet is brought in; the usual shift then attaches and parks. Idempotent: a repeated
 * run finds its share in place and changes nothing.
 */
async function run(input: Input): Promise<Output> {
  const { plan } = input;
  const number = plan.current.number;
  const share = plan.shares[number];
  if (share === undefined) {
    throw new InvalidInputError(
      `The shift plan has ${plan.steps} shares and all of them are done (current ${number}): the state machine should not have asked for another.`,
    );
  }
  const [oldFleet, newFleet] = await describeEachGroup([input.oldGroupName, input.newGroupName]);
  stopIfRollbackRequested(newFleet, `the new version's ${share}% share of traffic`);
  if (plan.split === 'weight') await shiftByWeight(input, share, oldFleet, newFleet);
  else await shiftByInstances(input, share, oldFleet, newFleet);
  return { number: number + 1, share };
}

/**
 * Both fleets keep their sizes while the weights move (their scaling no longer decides launches or
 * terminations): the old one's request-count policy would shrink it as its share falls, and a rollback would
 * find it too small; the new one's reads the main target group, where its share does not go. The new fleet
 * must have enough healthy targets in the synthetic target group for the share, grown if it has not.
 */
async function shiftByWeight(
  input: Input,
  share: number,
  oldFleet: AutoScalingGroup,
  newFleet: AutoScalingGroup,
): Promise<void> {
  await suspendForDeployment(oldFleet, OLD_FLEET_SUSPENDED_PROCESSES);
  // The new group's request-count policy counts the main target group's requests per target, which fall
  // as the weight moves away from it: it would scale the new fleet in while it takes the shares. Held until
  // the listeners are restored (restore-listeners resumes what was recorded).
  await suspendForDeployment(newFleet, OLD_FLEET_SUSPENDED_PROCESSES);
  const oldServing = instancesIn(oldFleet, 'InService').length;
  const needed = Math.max(1, Math.ceil((share / 100) * oldServing));
  const health = await targetHealth(input.targetGroups.synthetic);
  const serving = instanceIds(instancesIn(newFleet, 'InService')).filter(
    (id) => health.get(id) === 'healthy',
  ).length;
  if (serving < needed) {
    const desired = newFleet.DesiredCapacity ?? 0;
    if (desired < oldServing) {
      await updateCapacity(input.newGroupName, {
        desired: oldServing,
        max: Math.max(newFleet.MaxSize ?? 0, oldServing),
      });
    }
    throw new NotReadyError(
      `${input.newGroupName} has ${serving} healthy target${serving === 1 ? '' : 's'} in ${targetGroupName(input.targetGroups.synthetic)}, and ${share}% of what ${input.oldGroupName} serves with ${oldServing} needs ${needed}: the share moves once it has grown.`,
    );
  }
  for (const listener of input.plan.listeners) {
    const wanted = weightedActions(listener.defaultActions, input.targetGroups, share);
    const now = await describeListener(listener.listenerArn);
    if (!now) {
      throw new InconsistentAccountError(
        `Listener ${listener.listenerArn} no longer exists: its share of traffic cannot move. Check the load balancer; the rollback restores the other listeners.`,
      );
    }
    if (!sameActions(now.DefaultActions ?? [], wanted)) await setDefaultActions(listener.listenerArn, wanted);
  }
}

/**
 * `share` percent of the old fleet's size, as new instances serving in the main target group. The first
 * share parks the rest of the new fleet in Standby before the group joins the main target group, so that
 * only the share registers; later shares bring Standby instances back. ExitStandby registers them with every
 * target group the group is attached to; the wait that follows holds the park until they are healthy.
 */
async function shiftByInstances(
  input: Input,
  share: number,
  oldFleet: AutoScalingGroup,
  newFleet: AutoScalingGroup,
): Promise<void> {
  const name = input.newGroupName;
  if (share === 100) {
    const exited = await exitAllStandby(newFleet);
    const launched = input.newGroupCapacity;
    await resizeAfterStandby(newFleet, exited, (current) => {
      const desired = current.desired + exited;
      // As launched, except that what now serves is never scaled in (found in review: a raised MaxSize was
      // left behind, and the next deployment copied it).
      return {
        min: Math.max(current.min, Math.min(launched.min, desired)),
        max: Math.max(launched.max, desired),
      };
    });
    // The whole new fleet serves from here: its own scaling decides again.
    await resumeSuspendedByDeployment(newFleet);
    return;
  }
  // The share holds only if neither fleet scales while it bakes: the old one's scaling is held from its
  // first park, and a scale-out of the new one would land on the new version alone (found in review: a
  // "10 %" canary served 30 % of the bake's requests on a rising load).
  await suspendForDeployment(newFleet, OLD_FLEET_SUSPENDED_PROCESSES);
  const oldSize = instancesIn(oldFleet, ...FLEET_STATES).length;
  const available = instancesIn(newFleet, ...FLEET_STATES).length;
  const wanted = Math.min(available, Math.max(1, Math.ceil((share / 100) * oldSize)));
  const inService = instanceIds(instancesIn(newFleet, 'InService'));
  const sources = await listAttachedTargetGroups(name);
  const joined = attachedTargetGroupArns(newFleet, sources).includes(input.targetGroups.main);
  if (!joined) {
    if (inService.length > wanted) {
      // EnterStandby may decrement desired capacity only down to MinSize
      // (docs/aws-facts/auto-scaling-standby.md#enterstandby).
      if ((newFleet.MinSize ?? 0) > wanted) await updateCapacity(name, { min: wanted });
      await enterStandby(name, inService.slice(wanted));
    }
    await attachMissingTargetGroups(name, [input.targetGroups.main]);
    return;
  }
  const returning = instancesIn(newFleet, 'Pending', 'Pending:Wait', 'Pending:Proceed').length;
  const missing = wanted - inService.length - returning;
  if (missing <= 0) return;
  const parked = instanceIds(instancesIn(newFleet, 'Standby'));
  await exitAllStandby(newFleet, parked.slice(0, missing));
  // Instances the first share parked may still be draining from the synthetic target group: once in
  // Standby they can come back, and this share waits for them rather than going on short.
  if (parked.length < missing) {
    throw new NotReadyError(
      `${name} has ${inService.length + returning + parked.length} of the ${wanted} instances its ${share}% share needs on their way into service; ${missing - parked.length} more come back once they have finished entering Standby.`,
    );
  }
}

export const handler = defineHandler('shift-traffic', InputSchema, run);
