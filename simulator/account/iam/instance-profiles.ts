/** IAM as the pre-flight check uses it: which role an instance profile carries. */
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import type { InstanceProfileDescription } from '../environment';
import { constraintMessage, serviceError } from '../errors';
import { route, type Route } from '../router';

export class InstanceProfiles {
  constructor(private readonly profiles: readonly InstanceProfileDescription[]) {}

  routes(): Route[] {
    return [
      route(GetInstanceProfileCommand, (input) => {
        checkProfileName(input.InstanceProfileName);
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

/**
 * InstanceProfileName: 1 to 128 characters of the pattern `[\w+=,.@-]+`
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetInstanceProfile.html).
 */
function checkProfileName(name: string | undefined): void {
  const value = name ?? '';
  if (value.length >= 1 && value.length <= 128 && /^[\w+=,.@-]+$/.test(value)) return;
  const constraint =
    value.length > 128
      ? 'Member must have length less than or equal to 128'
      : value.length < 1
        ? 'Member must have length greater than or equal to 1'
        : 'Member must satisfy regular expression pattern: [\\w+=,.@-]+';
  throw serviceError('iam', 'ValidationError', constraintMessage(value, 'instanceProfileName', constraint));
}
