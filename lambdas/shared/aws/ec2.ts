import {
  CreateLaunchTemplateVersionCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type Image,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import { AmiNotFoundError, InvalidInputError } from '../errors';
import { callAws, errorName } from './call';

export const ec2 = new EC2Client({});

export async function describeImage(amiId: string): Promise<Image> {
  try {
    const response = await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }));
    const image = response.Images?.[0];
    if (!image) throw new AmiNotFoundError(`AMI ${amiId} does not exist or is not shared with this account.`);
    return image;
  } catch (error) {
    switch (errorName(error)) {
      case 'InvalidAMIID.NotFound':
        throw new AmiNotFoundError(`AMI ${amiId} does not exist or is not shared with this account.`);
      case 'InvalidAMIID.Malformed':
        throw new InvalidInputError(
          `amiId: "${amiId}" is not a valid AMI id (expecting "ami-" and hex digits).`,
        );
      default:
        return callAws('DescribeImages', () => Promise.reject(error));
    }
  }
}

/** Resolves a version specifier ("7", "$Latest", "$Default") to the template version it names now. */
export async function launchTemplateVersion(
  launchTemplateId: string,
  version: string,
): Promise<LaunchTemplateVersion> {
  const response = await callAws('DescribeLaunchTemplateVersions', () =>
    ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: [version] }),
    ),
  );
  const found = response.LaunchTemplateVersions?.[0];
  if (!found?.VersionNumber) {
    throw new AmiNotFoundError(`Launch template ${launchTemplateId} has no version ${version}.`);
  }
  return found;
}

/**
 * A new version that differs from `sourceVersion` only in its AMI. The client token makes a retried or
 * duplicated invocation return the version the first one created instead of piling up versions.
 */
export async function createVersionWithImage(
  launchTemplateId: string,
  sourceVersion: number,
  amiId: string,
  clientToken: string,
  description: string,
): Promise<number> {
  const response = await callAws('CreateLaunchTemplateVersion', () =>
    ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: launchTemplateId,
        SourceVersion: String(sourceVersion),
        LaunchTemplateData: { ImageId: amiId },
        VersionDescription: description,
        ClientToken: clientToken,
      }),
    ),
  );
  const version = response.LaunchTemplateVersion?.VersionNumber;
  if (version === undefined)
    throw new AmiNotFoundError(`CreateLaunchTemplateVersion returned no version number.`);
  return version;
}
