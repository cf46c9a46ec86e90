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
  const problem = mixedInstancesProblem(group, template);
  if (problem) throw new UnsupportedGroupError(problem);
  return template;
}

/**
 * What a mixed instances policy may not have for a new template version to reach every instance
 * (docs/aws-facts/auto-scaling-mixed-instances.md):
 * - an override that names its own launch template (LaunchTemplateOverrides.LaunchTemplateSpecification),
 *   another one or the policy's own at a version of its own: its instance types launch from that, which a
 *   new version of the policy's template does not reach, and the deployment would "succeed" with them on
 *   the old AMI;
 * - instance weights (WeightedCapacity), or a desired capacity counted in vCPUs or memory
 *   (DesiredCapacityType): desired capacity then counts units, not instances, and every wait, the capacity
 *   match and the rollback count instances.
 */
function mixedInstancesProblem(group: AutoScalingGroup, template: GroupTemplate): string | undefined {
  const name = group.AutoScalingGroupName ?? '(unnamed group)';
  const overrides = group.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? [];
  const own = overrides.filter((override) => {
    const spec = override.LaunchTemplateSpecification;
    return (
      spec !== undefined && (spec.LaunchTemplateId !== undefined || spec.LaunchTemplateName !== undefined)
    );
  });
  const fix = `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${name} --mixed-instances-policy file://policy.json`;
  if (own.length > 0) {
    const types = own.map((override) => override.InstanceType ?? 'an instance requirements override');
    return (
      `${name}'s mixed instances policy launches ${types.join(', ')} from a launch template of ${types.length === 1 ? 'its' : 'their'} own ` +
      `rather than the policy's (${template.LaunchTemplateId ?? template.LaunchTemplateName}), so ${types.length === 1 ? 'it' : 'they'} would ` +
      `keep the old AMI. Remove the LaunchTemplateSpecification from those overrides (every instance type ` +
      `then launches from the policy's launch template): ${fix}`
    );
  }
  const unit = group.DesiredCapacityType;
  if (unit !== undefined && unit !== 'units') {
    return (
      `${name} counts its desired capacity in ${unit} (DesiredCapacityType), not instances; this tool ` +
      `counts instances. Count it in instances: aws autoscaling update-auto-scaling-group ` +
      `--auto-scaling-group-name ${name} --desired-capacity-type units`
    );
  }
  const weighted = overrides.filter(
    (override) => override.WeightedCapacity !== undefined && override.WeightedCapacity !== '1',
  );
  if (weighted.length > 0) {
    return (
      `${name}'s mixed instances policy weights instance types (WeightedCapacity on ` +
      `${weighted.map((override) => override.InstanceType ?? 'an override').join(', ')}), so its desired ` +
      `capacity counts units, not instances; this tool counts instances. Remove the weights: ${fix}`
    );
  }
  return undefined;
}
