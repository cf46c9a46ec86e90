import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  attachedTargetGroupArns,
  capacityOf,
  describeGroups,
  instancesIn,
  instancesOf,
  lifecycleSummary,
  listAttachedTargetGroups,
} from '../shared/aws/auto-scaling';
import { InconsistentAccountError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import type { Settings } from '../shared/settings';
import type { Roles } from '../shared/types';
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
import { InputSchema, type Input } from './input';

/**
 * Find the active and standby groups (docs/design.md#the-flow): which group serves and which receives the new
 * version, discovered from the account (never a flag in the configuration), and a refusal with recovery
 * commands when the account is not in a shape a deployment can start from: generated from what it found,
 * runnable as printed, and never leaving a target group without a group in service (recovery.ts). Read-only.
 */

async function run({ settings }: Input): Promise<Roles> {
  const [blue, green] = await describeBothGroups(settings);
  const mainArn = settings.targetGroups.main;
  const serving: AutoScalingGroup[] = [];
  const attachedTo = new Map<AutoScalingGroup, string[]>();
  for (const group of [blue, green]) {
    // Cross-checked with the group's TargetGroupARNs: a group attached to the main target group by the older
    // API is active, never a standby group to launch into.
    const sources = attachedTargetGroupArns(group, await listAttachedTargetGroups(nameOf(group)));
    attachedTo.set(group, sources);
    if (sources.includes(mainArn)) serving.push(group);
  }

  const firstGroup = settings.firstDeploymentGroup === 'blue' ? blue : green;
  if (serving.length === 2) throw bothAttached(blue, green, firstGroup, attachedTo, settings);

  const active = serving[0];
  const other = (group: AutoScalingGroup) => (group === blue ? green : blue);
  const standby = active ? other(active) : firstGroup;

  if (active) checkActive(active, settings);
  checkStandby(standby);
  checkAttachments(active, standby, attachedTo, settings);
  if (active) checkSharedTemplate(active, standby);

  const inService = active ? instancesIn(active, 'InService').length : 0;
  return {
    firstDeployment: active === undefined,
    active: active
      ? { groupName: nameOf(active), capacity: capacityOf(active), instanceCount: inService }
      : null,
    standby: { groupName: nameOf(standby) },
    targetCapacity: settings.capacity ?? (active ? capacityOf(active) : settings.initialCapacity),
  };
}

async function describeBothGroups(settings: Settings): Promise<[AutoScalingGroup, AutoScalingGroup]> {
  const { blue: blueName, green: greenName } = settings.groups;
  const groups = await describeGroups([blueName, greenName]);
  const find = (name: string) => groups.find((group) => group.AutoScalingGroupName === name);
  const blue = find(blueName);
  const green = find(greenName);
  const missing = [blue ? undefined : blueName, green ? undefined : greenName].filter(Boolean);
  if (!blue || !green) {
    throw new InconsistentAccountError(
      `Auto Scaling group ${missing.map((name) => `"${name}"`).join(' and ')} does not exist in this ` +
        `account and Region: create it, or fix groups.blue / groups.green in the deployment configuration.`,
    );
  }
  return [blue, green];
}

/** The serving fleet must really serve and must not carry Standby leftovers of an interrupted deployment. */
function checkActive(group: AutoScalingGroup, settings: Settings): void {
  const name = nameOf(group);
  const mainArn = settings.targetGroups.main;
  rejectStandbyLeftovers(group, 'serves production');
  if (instancesIn(group, 'InService').length === 0) {
    const capacity = settings.capacity ?? settings.initialCapacity;
    throw new InconsistentAccountError(
      `${name} is attached to the main target group ${mainArn} but has no InService instance, so it ` +
        `cannot be the fleet to fall back on. Bring it back into service and wait until its targets are ` +
        `healthy: ${inOrder(bringIntoServiceCommands(group, capacity, mainArn))}; then start the deployment ` +
        `again. Or, for a first deployment instead, detach it from the main target group`,
    );
  }
}

/**
 * The active group serves through the main target group only; the standby group is attached to nothing
 * but, at most, the synthetic target group. Anything else is refused now, with nothing changed, rather than
 * failing later: the old fleet could not be retired (ExitStandby would register it with what is still
 * attached, I4), and the new version would take production traffic before its checks (I2).
 */
function checkAttachments(
  active: AutoScalingGroup | undefined,
  standby: AutoScalingGroup,
  attachedTo: Map<AutoScalingGroup, string[]>,
  settings: Settings,
): void {
  const { main, synthetic } = settings.targetGroups;
  if (active) {
    const extra = (attachedTo.get(active) ?? []).filter((arn) => arn !== main);
    if (extra.length > 0) {
      // The synthetic target group serves only synthetic checks; another target group may serve users that
      // only this group serves there: that one is the operator's to move, not a command to run blindly.
      const others = extra.filter((arn) => arn !== synthetic);
      throw new InconsistentAccountError(
        `${nameOf(active)} serves production but is also attached to ${extra.join(', ')}` +
          `${extra.includes(synthetic) ? ' (the synthetic target group: an interrupted deployment leaves this)' : ''}. ` +
          `It must be attached to the main target group only, or synthetic checks would reach it and it could ` +
          `not be retired safely after the next deployment. ` +
          (extra.includes(synthetic) ? `Detach it: ${detachCommand(active, synthetic)}; ` : '') +
          (others.length > 0
            ? `${nameOf(active)} has instances in service in ${others.join(', ')}: move what it serves there to ` +
              `another fleet, then detach it from ${others.length === 1 ? 'it' : 'them'}; `
            : '') +
          `then start the deployment again.`,
      );
    }
  }
  const stray = (attachedTo.get(standby) ?? []).filter((arn) => arn !== synthetic);
  if (stray.length === 0) return;
  const serving = servingInstances(standby).length;
  const head =
    `${nameOf(standby)} is about to receive the new version but is attached to ${stray.join(', ')}, so it ` +
    `would take traffic before the synthetic checks.`;
  if (serving === 0) {
    throw new InconsistentAccountError(
      `${head} Nothing of it is in service: detach it: ${inOrder(stray.map((arn) => detachCommand(standby, arn)))}; ` +
        `then start the deployment again.`,
    );
  }
  // It serves there: detaching it could leave those target groups without a target (issue 8, finding 3: a
  // configuration naming a main target group that does not exist made the serving group look like this).
  throw new InconsistentAccountError(
    `${head} It has ${serving} instance${serving === 1 ? '' : 's'} in service there, so the orchestrator proposes ` +
      `no command that detaches it. ` +
      (active
        ? `Move what it serves to another fleet first, then detach it and start the deployment again.`
        : `No group is attached to the main target group of the configuration (${main}): if ` +
          `${stray.length === 1 ? stray[0] : `one of ${stray.join(', ')}`} is your production target group, ` +
          `set deployment.targetGroups.main to it (construct prop targetGroups.main) and deploy the ` +
          `orchestrator again; ${nameOf(standby)} then serves as the active group.`),
  );
}

/**
 * One launch template for both groups, with production launching `$Latest`: the new version the deployment
 * creates would reach production's next launch before any check (I2).
 */
function checkSharedTemplate(active: AutoScalingGroup, standby: AutoScalingGroup): void {
  const activeTemplate = active.LaunchTemplate;
  const standbyTemplate = standby.LaunchTemplate;
  const same =
    activeTemplate !== undefined &&
    standbyTemplate !== undefined &&
    ((activeTemplate.LaunchTemplateId !== undefined &&
      activeTemplate.LaunchTemplateId === standbyTemplate.LaunchTemplateId) ||
      (activeTemplate.LaunchTemplateName !== undefined &&
        activeTemplate.LaunchTemplateName === standbyTemplate.LaunchTemplateName));
  if (same && activeTemplate.Version === '$Latest') {
    // The version production runs now: what its instances were launched from (the newest, if they differ).
    const running = instancesIn(active, 'InService')
      .filter((instance) => sameTemplate(instance.LaunchTemplate, activeTemplate))
      .map((instance) => Number(instance.LaunchTemplate?.Version))
      .filter((version) => Number.isInteger(version) && version > 0);
    const template = activeTemplate.LaunchTemplateId
      ? `LaunchTemplateId=${activeTemplate.LaunchTemplateId}`
      : `LaunchTemplateName=${activeTemplate.LaunchTemplateName ?? ''}`;
    throw new InconsistentAccountError(
      `${nameOf(active)} and ${nameOf(standby)} share a launch template and ${nameOf(active)} launches its ` +
        `$Latest version, so the version this deployment creates would reach production before it is proven. ` +
        (running.length > 0
          ? `Point ${nameOf(active)} at the version its instances run (${Math.max(...running)}): ` +
            `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${nameOf(active)} ` +
            `--launch-template ${template},Version=${Math.max(...running)}; then start the deployment again ` +
            `(or give each group its own launch template).`
          : `Give each group its own launch template, or point ${nameOf(active)} at the version number it ` +
            `should launch.`),
    );
  }
}

function sameTemplate(
  a: { LaunchTemplateId?: string; LaunchTemplateName?: string } | undefined,
  b: { LaunchTemplateId?: string; LaunchTemplateName?: string },
): boolean {
  return (
    a !== undefined &&
    ((a.LaunchTemplateId !== undefined && a.LaunchTemplateId === b.LaunchTemplateId) ||
      (a.LaunchTemplateName !== undefined && a.LaunchTemplateName === b.LaunchTemplateName))
  );
}

/**
 * Both groups in the main target group: an interrupted deployment. The hint keeps one group serving and
 * retires the other, in an order that never leaves the main target group without a group in service (I1):
 * the kept group is the only one in service, or, when both are, the one that is not the interrupted
 * deployment's new group (on the synthetic target group), as a rollback would keep it.
 */
function bothAttached(
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

function checkStandby(group: AutoScalingGroup): void {
  rejectStandbyLeftovers(group, 'is about to receive the new version');
}

function rejectStandbyLeftovers(group: AutoScalingGroup, role: string): void {
  const name = nameOf(group);
  const entering = instancesIn(group, 'EnteringStandby');
  const standby = instancesIn(group, 'Standby');
  if (entering.length === 0 && standby.length === 0) return;
  const counts = [
    standby.length > 0 ? `${standby.length} in Standby` : undefined,
    entering.length > 0 ? `${entering.length} entering Standby` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const { commands, note } = exitStandbyCommands(group);
  throw new InconsistentAccountError(
    `${name} ${role} but has instances left in Standby by an interrupted deployment (${counts}).` +
      (entering.length > 0
        ? ' Wait until the instances entering Standby have reached Standby (at most the deregistration delay), ' +
          'then start the deployment again: it then prints the commands that return them.'
        : '') +
      (commands.length > 0
        ? ` Return them to service${note}: ${inOrder(commands)}; then start the deployment again.`
        : ''),
  );
}

export const handler = defineHandler('resolve-roles', InputSchema, run);
