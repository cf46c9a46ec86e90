/** IAM as the pre-flight check uses it: which role an instance profile carries. */
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import type { InstanceProfileDescription } from '../environment';
import { serviceError } from '../errors';
import { route, type Route } from '../router';

export class InstanceProfiles {
  constructor(private readonly profiles: readonly InstanceProfileDescription[]) {}

  routes(): Route[] {
    return [
      route(GetInstanceProfileCommand, (input) => {
        const profile = this.profiles.find((candidate) => candidate.name === input.InstanceProfileName);
        // IAM API reference, GetInstanceProfile: NoSuchEntity (404) for a profile that does not exist.
        if (!profile) {
          throw serviceError(
            'iam',
            'NoSuchEntityException',
            `Instance Profile ${input.InstanceProfileName} cannot be found.`,
            404,
          );
        }
        const roleName = profile.roleArn.split('/').pop() ?? '';
        return {
          InstanceProfile: {
            InstanceProfileName: profile.name,
            InstanceProfileId: uniqueId('AIPA', profile.name),
            Arn: profile.arn,
            Path: '/',
            CreateDate: new Date(0),
            Roles: [
              {
                RoleName: roleName,
                RoleId: uniqueId('AROA', roleName),
                Arn: profile.roleArn,
                Path: '/',
                CreateDate: new Date(0),
              },
            ],
          },
        };
      }),
    ];
  }
}

/** An IAM unique id: its type prefix (AIPA instance profile, AROA role) and 17 characters, stable per name. */
function uniqueId(prefix: string, name: string): string {
  return (
    prefix +
    name
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 17)
  );
}
