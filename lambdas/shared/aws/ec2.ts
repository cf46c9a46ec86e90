import {
  CreateLaunchTemplateVersionCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type Image,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import { createHash } from 'node:crypto';
import {
  AmiNotAvailableError,
  AmiNotFoundError,
  AwsRequestError,
  InconsistentAccountError,
  InvalidInputError,
} from '../errors';
import { callAws, CLIENT_CONFIG, errorName } from './call';

export const ec2 = new EC2Client(CLIENT_CONFIG);

/** Clients of other Regions, made on first use: an AMI copied from another Region names its source there. */
const ec2In = new Map<string, EC2Client>();
function clientIn(region: string | undefined): EC2Client {
  if (region === undefined) return ec2;
  let client = ec2In.get(region);
  if (!client) ec2In.set(region, (client = new EC2Client({ ...CLIENT_CONFIG, region })));
  return client;
}

export interface ImageLookup {
  /** Another Region's AMI (an Image's `SourceImageRegion`). */
  readonly region?: string;
  /** Disabled AMIs too: DescribeImages leaves them out unless asked (`IncludeDisabled`). */
  readonly includeDisabled?: boolean;
}

export async function describeImage(amiId: string, lookup: ImageLookup = {}): Promise<Image> {
  try {
    const response = await clientIn(lookup.region).send(
      new DescribeImagesCommand({
        ImageIds: [amiId],
        ...(lookup.includeDisabled && { IncludeDisabled: true }),
      }),
    );
    const image = response.Images?.[0];
    if (!image) throw new AmiNotFoundError(`AMI ${amiId} does not exist or is not shared with this account.`);
    return image;
  } catch (error) {
    switch (errorName(error)) {
      case 'InvalidAMIID.NotFound':
        throw new AmiNotFoundError(`AMI ${amiId} does not exist or is not shared with this account.`, {
          cause: error,
        });
      case 'InvalidAMIID.Malformed':
        throw new InvalidInputError(
          `amiId: "${amiId}" is not a valid AMI id (expecting "ami-" and hex digits).`,
          { cause: error },
        );
      case 'InvalidAMIID.Unavailable':
        throw new AmiNotAvailableError(
          `AMI ${amiId} is not available (EC2: InvalidAMIID.Unavailable); deploy an AMI in the available state.`,
          { cause: error },
        );
      default:
        return callAws('DescribeImages', () => Promise.reject(error));
    }
  }
}

/** `describeImage`, or undefined when the AMI does not exist (or is not shared with this account). */
export async function findImage(amiId: string, lookup: ImageLookup = {}): Promise<Image | undefined> {
  try {
    return await describeImage(amiId, lookup);
  } catch (error) {
    if (error instanceof AmiNotFoundError) return undefined;
    throw error;
  }
}

/** EC2's answers for a template or version that does not exist. */
const LAUNCH_TEMPLATE_NOT_FOUND = new Set([
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateId.VersionNotFound',
  'InvalidLaunchTemplateName.NotFoundException',
]);

/** How a group names its launch template: AWS returns both, but a group may have been created with either. */
export interface LaunchTemplateRef {
  LaunchTemplateId?: string;
  LaunchTemplateName?: string;
}

/** Resolves a version specifier ("7", "$Latest", "$Default") to the template version it names now. */
export async function launchTemplateVersion(
  template: string | LaunchTemplateRef,
  version: string,
): Promise<LaunchTemplateVersion> {
  const ref: LaunchTemplateRef = typeof template === 'string' ? { LaunchTemplateId: template } : template;
  const label = ref.LaunchTemplateId ?? ref.LaunchTemplateName ?? '(unnamed)';
  const missing = (cause?: unknown) =>
    new InconsistentAccountError(
      `Launch template ${label} has no version ${version} (or does not exist): point the group at an ` +
        `existing launch template version (aws ec2 describe-launch-template-versions ` +
        `${ref.LaunchTemplateId ? `--launch-template-id ${label}` : `--launch-template-name ${label}`}).`,
      { cause },
    );
  const response = await callAws('DescribeLaunchTemplateVersions', async () => {
    try {
      return await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          // EC2 accepts the id or the name, not both.
          ...(ref.LaunchTemplateId
            ? { LaunchTemplateId: ref.LaunchTemplateId }
            : { LaunchTemplateName: ref.LaunchTemplateName }),
          Versions: [version],
        }),
      );
    } catch (error) {
      if (LAUNCH_TEMPLATE_NOT_FOUND.has(errorName(error) ?? '')) throw missing(error);
      throw error;
    }
  });
  const found = response.LaunchTemplateVersions?.[0];
  if (!found?.VersionNumber) throw missing();
  return found;
}

/**
 * A CreateLaunchTemplateVersion client token that is the same for every invocation of one deployment step
 * (so a retried or duplicated invocation gets the first one's version back) and different across
 * executions, groups and AMIs. EC2 allows up to 128 ASCII characters (CreateLaunchTemplateVersion API
 * reference); a sha256 hex digest is 64, short enough for every EC2 call that takes a client token.
 */
export function launchTemplateClientToken(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
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
  if (version === undefined) {
    throw new AwsRequestError(
      `CreateLaunchTemplateVersion on ${launchTemplateId} returned no version number; run the step again.`,
    );
  }
  return version;
}
