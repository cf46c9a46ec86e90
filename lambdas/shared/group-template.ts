import type { AutoScalingGroup, LaunchTemplateSpecification } from '@aws-sdk/client-auto-scaling';
import { UnsupportedGroupError } from './errors';

export type GroupTemplate = LaunchTemplateSpecification;

/**
 * Where the group reads the launch template it launches from: its own `LaunchTemplate`, or the launch
 * template specification of its mixed instances policy (docs/aws-facts/auto-scaling-mixed-instances.md).
 * A group with a policy launches every instance type and purchase option from that one specification,
 * so a new template version there changes the AMI of the whole group, overrides and distribution kept.
 */
export function groupTemplateOf(group: AutoScalingGroup): GroupTemplate | undefined {
  const template =
    group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification ?? group.LaunchTemplate;
  if (!template || (!template.LaunchTemplateId && !template.LaunchTemplateName)) return undefined;
  return template;
}

/** Only a group that launches from one launch template can be moved to a new AMI by a new template version. */
export function launchTemplateOf(group: AutoScalingGroup): GroupTemplate {
  const name = group.AutoScalingGroupName ?? '(unnamed group)';
  const template = groupTemplateOf(group);
  if (!template) {
    const uses = group.LaunchConfigurationName
      ? `uses the launch configuration "${group.LaunchConfigurationName}"`
      : 'has no launch template';
    throw new UnsupportedGroupError(
      `${name} ${uses}; this tool deploys a new AMI as a new launch template version. Give the group a ` +
        `launch template (launch configurations are deprecated): aws autoscaling update-auto-scaling-group ` +
        `--auto-scaling-group-name ${name} --launch-template LaunchTemplateId=<lt-id>,Version='$Default'`,
    );
  }
  const foreign = overridesWithOtherTemplates(group, template);
  if (foreign.length > 0) {
    throw new UnsupportedGroupError(
      `${name}'s mixed instances policy launches ${foreign.join(', ')} from another launch template than ` +
        `the policy's own (${template.LaunchTemplateId ?? template.LaunchTemplateName}), so those instances ` +
        `would keep the old AMI. Remove the LaunchTemplateSpecification from those overrides (every ` +
        `instance type then launches from the policy's launch template): aws autoscaling ` +
        `update-auto-scaling-group --auto-scaling-group-name ${name} --mixed-instances-policy file://policy.json`,
    );
  }
  return template;
}

/**
 * Overrides that name their own launch template (LaunchTemplateOverrides.LaunchTemplateSpecification):
 * their instance types launch from it instead of the policy's, which a new version of the policy's
 * template does not reach.
 */
function overridesWithOtherTemplates(group: AutoScalingGroup, template: GroupTemplate): string[] {
  const overrides = group.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? [];
  return overrides
    .filter((override) => {
      const own = override.LaunchTemplateSpecification;
      if (!own || (!own.LaunchTemplateId && !own.LaunchTemplateName)) return false;
      return !(
        (own.LaunchTemplateId !== undefined && own.LaunchTemplateId === template.LaunchTemplateId) ||
        (own.LaunchTemplateName !== undefined && own.LaunchTemplateName === template.LaunchTemplateName)
      );
    })
    .map((override) => override.InstanceType ?? 'an instance requirements override');
}
