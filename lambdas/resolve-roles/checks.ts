/**
 * The account shapes a deployment refuses to start from, each refused with the commands that fix it
 * (recovery.ts): what "Find the active and standby groups" checks once it has found them (handler.ts).
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { instancesIn } from '../shared/aws/auto-scaling';
import { InconsistentAccountError } from '../shared/errors';
import { groupTemplateOf } from '../shared/group-template';
import type { Settings } from '../shared/settings';
import {
  bringIntoServiceCommands,
  detachCommand,
  exitStandbyCommands,
  inOrder,
  nameOf,
  servingInstances,
} from './recovery';

/** The serving fleet must really serve and must not carry Standby leftovers of an interrupted deployment. */
export function checkActive(group: AutoScalingGroup, settings: Settings): void {
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
export function checkAttachments(
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
export function checkSharedTemplate(active: AutoScalingGroup, standby: AutoScalingGroup): void {
  const activeTemplate = groupTemplateOf(active);
  const standbyTemplate = groupTemplateOf(standby);
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

export function checkStandby(group: AutoScalingGroup): void {
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
