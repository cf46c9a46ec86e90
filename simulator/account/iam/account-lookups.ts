/**
 * What the authorizer reads of the account: the ARNs and tags of groups, what a launch template version
 * launches, and a topic's KMS key, for the condition keys and resources a call is authorized against.
 */
import type { AutoScalingGroupState } from '../auto-scaling-group';
import type { Ec2 } from '../ec2';
import type { EnvironmentDescription } from '../environment';
import type { AccountLookups, LaunchTemplateUse } from './authorization';

export function accountLookups(world: {
  environment: EnvironmentDescription;
  ec2: Ec2;
  groups: Map<string, AutoScalingGroupState>;
}): AccountLookups {
  const env = world.environment;
  const profiles = env.instanceProfiles ?? [];
  const launchTemplateUse = (spec: {
    LaunchTemplateId?: string;
    LaunchTemplateName?: string;
    Version?: string;
  }): LaunchTemplateUse | undefined => {
    try {
      const template = world.ec2.findTemplate(spec.LaunchTemplateId, spec.LaunchTemplateName);
      const data = world.ec2.version(template, spec.Version ?? '$Default').data;
      const profile = data.IamInstanceProfile as { Arn?: string; Name?: string } | undefined;
      const role = profiles.find(
        (candidate) => candidate.arn === profile?.Arn || candidate.name === profile?.Name,
      );
      return {
        templateArn: `arn:aws:ec2:${env.region}:${env.accountId}:launch-template/${template.id}`,
        imageId: typeof data.ImageId === 'string' ? data.ImageId : undefined,
        instanceProfileRoleArn: role?.roleArn,
        hasTagSpecifications: Array.isArray(data.TagSpecifications) && data.TagSpecifications.length > 0,
      };
    } catch {
      return undefined; // the call itself then fails as AWS says for a missing template or version
    }
  };
  return {
    region: env.region,
    accountId: env.accountId,
    groupArn: (name) => world.groups.get(name)?.arn,
    groupTags: (name) =>
      Object.fromEntries([...(world.groups.get(name)?.tags ?? [])].map(([key, tag]) => [key, tag.value])),
    launchTemplateUse,
    topicKey: (topicArn) => env.topics?.find((topic) => topic.arn === topicArn)?.kmsKeyArn,
  };
}
