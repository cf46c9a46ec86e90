/**
 * Both groups attached to the main target group: an interrupted deployment, refused with the commands that
 * return to one serving group, keeping the one that serves best (recovery.ts).
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { instancesIn, instancesOf, lifecycleSummary } from '../shared/aws/auto-scaling';
import { InconsistentAccountError } from '../shared/errors';
import type { Settings } from '../shared/settings';
import {
  bringIntoServiceCommands,
  detachCommand,
  exitStandbyCommands,
  hasInstances,
  inOrder,
  nameOf,
  scaleToZeroCommand,
  servingInstances,
  waitHealthyCommand,
} from './recovery';

/**
 * Both groups in the main target group: an interrupted deployment. The hint keeps one group serving and
 * retires the other, in an order that never leaves the main target group without a group in service (I1):
 * the kept group is the only one in service, or, when both are, the one that is not the interrupted
 * deployment's new group (on the synthetic target group), as a rollback would keep it.
 */
export function bothAttached(
  blue: AutoScalingGroup,
  green: AutoScalingGroup,
  firstGroup: AutoScalingGroup,
  attachedTo: Map<AutoScalingGroup, string[]>,
  settings: Settings,
): InconsistentAccountError {
  const { main, synthetic } = settings.targetGroups;
  const onSynthetic = (group: AutoScalingGroup) => (attachedTo.get(group) ?? []).includes(synthetic);
  const state = (group: AutoScalingGroup) =>
    `${nameOf(group)}: ${lifecycleSummary(instancesOf(group)) || 'no instances'}`;
  const intro =
    `Both ${nameOf(blue)} and ${nameOf(green)} are attached to the main target group ${main}, so there ` +
    `is no standby group to deploy into (an interrupted deployment leaves this; ${state(blue)}; ${state(green)}). `;

  const { keep, why } = groupToKeep(blue, green, firstGroup, onSynthetic);
  const retire = keep === blue ? green : blue;
  const commands: string[] = [];
  // The kept group first: its Standby leftovers are of its own version and go back into service.
  const kept = exitStandbyCommands(keep);
  commands.push(...kept.commands);
  const keptServes = servingInstances(keep).length > 0;
  if (!keptServes && kept.ids.length === 0) {
    commands.push(...bringIntoServiceCommands(keep, settings.capacity ?? settings.initialCapacity, main));
  } else if (!keptServes) {
    commands.push(waitHealthyCommand(main, kept.ids));
  }
  // Then the other one leaves the target groups; its Standby instances return to a group attached to none,
  // and it is emptied.
  commands.push(detachCommand(retire, main));
  if (onSynthetic(retire)) commands.push(detachCommand(retire, synthetic));
  const retired = exitStandbyCommands(retire);
  commands.push(...retired.commands);
  if (hasInstances(retire)) commands.push(scaleToZeroCommand(retire));
  if (onSynthetic(keep)) commands.push(detachCommand(keep, synthetic));
  // Instances still draining into Standby cannot be returned yet (ExitStandby takes Standby instances only).
  const entering = [keep, retire].filter((group) => instancesIn(group, 'EnteringStandby').length > 0);
  const later =
    entering.length > 0
      ? ` ${entering.map((group) => `${instancesIn(group, 'EnteringStandby').length} instances of ${nameOf(group)}`).join(' and ')} ` +
        `are still entering Standby (at most the deregistration delay): once they are in Standby, start the ` +
        `deployment again; it then prints the commands that return them.`
      : '';
  return new InconsistentAccountError(
    intro +
      `${why}: keep it attached. Retire ${nameOf(retire)} with these commands, in this order` +
      `${kept.note}${retired.note}: ${inOrder(commands)}; ` +
      `then start the deployment again.` +
      (keptServes && servingInstances(retire).length === 0 && instancesIn(retire, 'Standby').length > 0
        ? ` To go back to ${nameOf(retire)}'s version instead, return its Standby instances first and ` +
          `detach ${nameOf(keep)} only once they are healthy in the main target group.`
        : '') +
      later,
  );
}

function groupToKeep(
  blue: AutoScalingGroup,
  green: AutoScalingGroup,
  firstGroup: AutoScalingGroup,
  onSynthetic: (group: AutoScalingGroup) => boolean,
): { keep: AutoScalingGroup; why: string } {
  const serving = [blue, green].filter((group) => servingInstances(group).length > 0);
  if (serving.length === 1) return { keep: serving[0], why: `Only ${nameOf(serving[0])} is in service` };
  if (serving.length === 2) {
    const old = serving.filter((group) => !onSynthetic(group));
    if (old.length === 1) {
      return {
        keep: old[0],
        why:
          `Both are in service; ${nameOf(old[0] === blue ? green : blue)} is the interrupted deployment's new ` +
          `group (attached to the synthetic target group), so ${nameOf(old[0])}, which served before it, stays`,
      };
    }
    const keep = servingInstances(green).length > servingInstances(blue).length ? green : blue;
    return { keep, why: `Both are in service; ${nameOf(keep)} has the most instances in service and stays` };
  }
  const parked = [blue, green]
    .filter((group) => instancesIn(group, 'Standby').length > 0)
    .sort((a, b) => instancesIn(b, 'Standby').length - instancesIn(a, 'Standby').length);
  const keep = parked[0] ?? firstGroup;
  return {
    keep,
    why:
      `Nothing is in service (users get errors now); ${nameOf(keep)} ` +
      (parked.length > 0 ? 'has the most instances in Standby and comes back' : 'is brought into service'),
  };
}
