import type { Image } from '@aws-sdk/client-ec2';
import { ownershipMismatch } from '../shared/ami-selector';
import { describeImage } from '../shared/aws/ec2';
import { AmiNotFoundError } from '../shared/errors';
import type { AmiSelector } from '../shared/settings';

/**
 * Whether an AMI is a newer release than the one serving (docs/design.md#release-order). An "EC2 AMI State
 * Change" event with state `available` also comes for a copied, re-enabled or restored AMI
 * (docs/aws-facts/launch-templates-and-amis.md#ami-events): such an AMI of an old release must not be deployed
 * because it just became available.
 *
 * Releases are ordered by the selector's `versionTag` when both AMIs carry it, otherwise by when they were
 * made. An AMI made from an AMI of this application (a copy, or an image of an instance running it: EC2 says
 * which in `SourceImageId`) was made when that one was; a new build's source is a base image, not this
 * application's, and does not count.
 */
export async function notNewerThanServing(
  candidate: Image,
  servingAmiId: string,
  selector: AmiSelector,
): Promise<string | undefined> {
  const serving = await describeIfExists(servingAmiId);
  // What cannot be compared is deployed: the pipeline's choice, or a serving AMI deregistered since.
  if (!serving) return undefined;
  const [ours, theirs] = [await releaseOf(candidate, selector), await releaseOf(serving, selector)];
  const versions = selector.versionTag
    ? [tagOf(candidate, selector.versionTag), tagOf(serving, selector.versionTag)]
    : [];
  if (versions.length === 2 && versions[0] !== undefined && versions[1] !== undefined) {
    if (compareVersions(versions[0], versions[1]) > 0) return undefined;
    return `${describe(candidate)} is version ${versions[0]}, not newer than ${versions[1]} of ${describe(serving)}, which serves`;
  }
  if (ours.madeAt === undefined || theirs.madeAt === undefined || ours.madeAt > theirs.madeAt)
    return undefined;
  const made = (at: number) => new Date(at).toISOString();
  return `${describe(candidate)}${ours.via} is a release of ${made(ours.madeAt)}, not newer than ${describe(serving)}${theirs.via}, which serves (a release of ${made(theirs.madeAt)})`;
}

/** Copies of copies are followed this far at most. */
const MAX_SOURCES = 5;

async function releaseOf(image: Image, selector: AmiSelector): Promise<{ madeAt?: number; via: string }> {
  let release = image;
  const chain: string[] = [];
  for (let depth = 0; depth < MAX_SOURCES && release.SourceImageId; depth++) {
    const source = await describeIfExists(release.SourceImageId);
    if (!source || ownershipMismatch(source, selector) !== undefined) break;
    chain.push(source.ImageId ?? release.SourceImageId);
    release = source;
  }
  const madeAt = release.CreationDate ? Date.parse(release.CreationDate) : undefined;
  return {
    madeAt: Number.isNaN(madeAt) ? undefined : madeAt,
    via: chain.length ? `, made from ${chain.join(', made from ')},` : '',
  };
}

async function describeIfExists(amiId: string): Promise<Image | undefined> {
  try {
    return await describeImage(amiId);
  } catch (error) {
    if (error instanceof AmiNotFoundError) return undefined;
    throw error;
  }
}

function tagOf(image: Image, key: string): string | undefined {
  return image.Tags?.find((tag) => tag.Key === key)?.Value;
}

function describe(image: Image): string {
  return `${image.ImageId ?? 'the AMI'}${image.Name ? ` ("${image.Name}")` : ''}`;
}

/** Numeric parts compared as numbers (1.10.0 after 1.9.2), anything else as text. */
export function compareVersions(left: string, right: string): number {
  const parts = (version: string) => version.split(/[.\-+_]/);
  const [a, b] = [parts(left), parts(right)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? '', b[i] ?? ''];
    const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
    const order = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return Math.sign(order);
  }
  return 0;
}
