import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { suspendedProcessesOf } from '../shared/aws/auto-scaling';
import { activeInstanceRefresh } from '../shared/aws/instance-refresh';
import { launchTemplateVersion } from '../shared/aws/ec2';
import { instanceProfileRoles } from '../shared/aws/iam';
import { UnsupportedGroupError } from '../shared/errors';
import { groupTemplateOf, launchTemplateOf } from '../shared/group-template';

/**
 * Processes whose suspension would stall a deployment half-way (EC2 Auto Scaling user guide, "Suspend and
 * resume processes"): `Launch` stops the new fleet and ExitStandby (the rollback), `Terminate` stops every
 * scale-to-zero, `AddToLoadBalancer` keeps new instances out of the target groups.
 */
const BLOCKING_PROCESSES = ['Launch', 'Terminate', 'AddToLoadBalancer'];

export function suspendedProcessProblems(groups: readonly AutoScalingGroup[]): string[] {
  return groups.flatMap((group) => {
    const blocking = BLOCKING_PROCESSES.filter((process) => suspendedProcessesOf(group).has(process));
    if (blocking.length === 0) return [];
    const name = group.AutoScalingGroupName ?? '';
    return [
      `${name} has ${blocking.join(', ')} suspended, which would stop the deployment or its rollback half-way. ` +
        `Resume ${blocking.length === 1 ? 'it' : 'them'} first: aws autoscaling resume-processes ` +
        `--auto-scaling-group-name ${name} --scaling-processes ${blocking.join(' ')}`,
    ];
  });
}

/** An instance refresh replaces instances under the deployment's feet. */
export async function instanceRefreshProblems(groups: readonly AutoScalingGroup[]): Promise<string[]> {
  const problems: string[] = [];
  for (const group of groups) {
    const name = group.AutoScalingGroupName ?? '';
    const refresh = await activeInstanceRefresh(name);
    if (refresh) {
      problems.push(
        `${name} has an instance refresh ${refresh.InstanceRefreshId} in status ${refresh.Status}. Let it end, ` +
          `or cancel it: aws autoscaling cancel-instance-refresh --auto-scaling-group-name ${name}`,
      );
    }
  }
  return problems;
}

/** A group without a single launch template cannot take a new AMI as a template version: found now, not after the scale-in. */
export function launchTemplateProblems(group: AutoScalingGroup): string[] {
  try {
    launchTemplateOf(group);
    return [];
  } catch (error) {
    if (error instanceof UnsupportedGroupError) return [error.message];
    throw error;
  }
}

/**
 * Pointing the group at a new template version passes the instance profile's role to EC2 (iam:PassRole,
 * docs/aws-facts/iam-authorization.md): a role the orchestrator was not granted would fail the launch.
 */
export async function instanceRoleProblems(
  instanceRoleArns: readonly string[],
  group: AutoScalingGroup,
): Promise<string[]> {
  const template = groupTemplateOf(group);
  if (!template) return []; // refused by launchTemplateProblems
  const version = await launchTemplateVersion(template, template.Version ?? '$Default');
  const profile = version.LaunchTemplateData?.IamInstanceProfile;
  if (!profile?.Arn && !profile?.Name) return [];
  const allowed = new Set(instanceRoleArns);
  const refused = (await instanceProfileRoles(profile)).filter((role) => !allowed.has(role));
  return refused.map(
    (role) =>
      `instanceRoleArns: launch template ${version.LaunchTemplateId} (version ${version.VersionNumber}) of ` +
      `${group.AutoScalingGroupName} launches with instance profile ${profile.Arn ?? profile.Name}, whose role ` +
      `${role} the orchestrator may not pass to EC2. Add "${role}" to deployment.instanceRoleArns in the ` +
      `configuration (construct prop instanceRoleArns) and deploy the orchestrator again.`,
  );
}
