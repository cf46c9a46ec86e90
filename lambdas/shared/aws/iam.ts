import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { callAws, CLIENT_CONFIG } from './call';

export const iamClient = new IAMClient(CLIENT_CONFIG);

/** The role ARNs an instance profile (named by ARN or name) carries: what launching with it passes to EC2. */
export async function instanceProfileRoles(profile: { Arn?: string; Name?: string }): Promise<string[]> {
  // GetInstanceProfile takes the name, the last part of the ARN's path.
  const name = profile.Name ?? profile.Arn?.split('/').pop() ?? '';
  const response = await callAws('GetInstanceProfile', () =>
    iamClient.send(new GetInstanceProfileCommand({ InstanceProfileName: name })),
  );
  return (response.InstanceProfile?.Roles ?? []).map((role) => role.Arn ?? '').filter(Boolean);
}
