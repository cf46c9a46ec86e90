import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { UnsupportedGroupError } from './errors';

export interface GroupTemplate {
  LaunchTemplateId?: string;
  LaunchTemplateName?: string;
  Version?: string;
}

/** Only a group with one launch template can be moved to a new AMI by a new template version. */
export function launchTemplateOf(group: AutoScalingGroup): GroupTemplate {
  const name = group.AutoScalingGroupName ?? '(unnamed group)';
  if (group.MixedInstancesPolicy) {
    throw new UnsupportedGroupError(
      `${name} uses a mixed instances policy; this tool deploys to groups that use a single launch ` +
        `template. Replace the policy with a launch template: aws autoscaling update-auto-scaling-group ` +
        `--auto-scaling-group-name ${name} --launch-template LaunchTemplateId=<lt-id>,Version='$Default'`,
    );
  }
  const template = group.LaunchTemplate;
  if (!template || (!template.LaunchTemplateId && !template.LaunchTemplateName)) {
    const uses = group.LaunchConfigurationName
      ? `uses the launch configuration "${group.LaunchConfigurationName}"`
      : 'has no launch template';
    throw new UnsupportedGroupError(
      `${name} ${uses}; this tool deploys a new AMI as a new launch template version. Give the group a ` +
        `launch template (launch configurations are deprecated): aws autoscaling update-auto-scaling-group ` +
        `--auto-scaling-group-name ${name} --launch-template LaunchTemplateId=<lt-id>,Version='$Default'`,
    );
  }
  return template;
}
