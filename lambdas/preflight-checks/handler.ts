import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { z } from 'zod';
import { describeGroup } from '../shared/aws/auto-scaling';
import { alarmNameOf, alarmStates } from '../shared/aws/cloudwatch';
import { launchTemplateVersion } from '../shared/aws/ec2';
import { instanceProfileRoles } from '../shared/aws/iam';
import { PreflightCheckFailedError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { settingsSchema, type Settings } from '../shared/settings';
import { rolesSchema } from '../shared/types';

/**
 * Before anything changes: what would otherwise fail only half-way (some of it after users reached the new
 * version) is checked now, and a deployment that cannot succeed is refused with the fix (I8). Read-only.
 */

const InputSchema = z.object({ settings: settingsSchema, roles: rolesSchema.pick({ standby: true }) });

async function run({ settings, roles }: z.infer<typeof InputSchema>): Promise<{ checked: string[] }> {
  const problems = [
    ...(await missingAlarms(settings)),
    ...(await unpassableInstanceRole(settings, await describeGroup(roles.standby.groupName))),
  ];
  if (problems.length > 0) {
    throw new PreflightCheckFailedError(`Refused before any change: ${problems.join(' ')}`);
  }
  return { checked: ['alarms exist', 'instance profile role may be passed'] };
}

/** A watched alarm that does not exist would fail the deployment after the traffic shift. */
async function missingAlarms(settings: Settings): Promise<string[]> {
  const names = [...new Set(settings.monitoring.alarmNames.map(alarmNameOf))];
  if (names.length === 0) return [];
  const found = new Set((await alarmStates(names)).map((alarm) => alarm.name));
  const missing = names.filter((name) => !found.has(name));
  if (missing.length === 0) return [];
  return [
    `monitoring.alarmNames: ${missing.map((name) => `"${name}"`).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist ` +
      `in this account and Region. Correct the name (an alarm's name or ARN), or create the alarm, then deploy the orchestrator again.`,
  ];
}

/**
 * Pointing the group at a new template version passes the instance profile's role to EC2 (iam:PassRole,
 * docs/aws-facts/iam-authorization.md): a role the orchestrator was not granted would fail the launch.
 */
async function unpassableInstanceRole(settings: Settings, group: AutoScalingGroup): Promise<string[]> {
  const template = group.LaunchTemplate;
  if (!template) return []; // resolve-roles and launch-new-version refuse such a group with their own fix
  const version = await launchTemplateVersion(template, template.Version ?? '$Default');
  const profile = version.LaunchTemplateData?.IamInstanceProfile;
  if (!profile?.Arn && !profile?.Name) return [];
  const allowed = new Set(settings.instanceRoleArns);
  const roles = await instanceProfileRoles(profile);
  const refused = roles.filter((role) => !allowed.has(role));
  return refused.map(
    (role) =>
      `instanceRoleArns: launch template ${version.LaunchTemplateId} (version ${version.VersionNumber}) of ` +
      `${group.AutoScalingGroupName} launches with instance profile ${profile.Arn ?? profile.Name}, whose role ` +
      `${role} the orchestrator may not pass to EC2. Add "${role}" to deployment.instanceRoleArns in the ` +
      `configuration (construct prop instanceRoleArns) and deploy the orchestrator again.`,
  );
}

export const handler = defineHandler('preflight-checks', InputSchema, run);
