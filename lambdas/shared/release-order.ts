import type { Image } from '@aws-sdk/client-ec2';
import { ownershipMismatch, tagValue } from './ami-selector';
import { findImage } from './aws/ec2';
import type { AmiSelector } from './settings/release';

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
  const serving = await findImage(servingAmiId);
  // What cannot be compared is deployed: a serving AMI deregistered since, or not this application's (the
  // first switch from a base image).
  if (!serving || ownershipMismatch(serving, selector) !== undefined) return undefined;
  const ourVersion = selector.versionTag ? tagValue(candidate, selector.versionTag) : undefined;
  const theirVersion = selector.versionTag ? tagValue(serving, selector.versionTag) : undefined;
  const order =
    ourVersion !== undefined && theirVersion !== undefined
      ? compareVersions(ourVersion, theirVersion)
      : undefined;
  if (order !== undefined) {
    // Versions that differ decide alone; the same version rebuilt (an OS patch) is newer if it was made later,
    // which only then takes reading the releases' sources.
    const newer =
      order > 0 ||
      (order === 0 && newerByDate(await releaseOf(candidate, selector), await releaseOf(serving, selector)));
    if (newer) return undefined;
    return `${describe(candidate)} is version ${ourVersion}, not newer than ${theirVersion} of ${describe(serving)}, which serves`;
  }
  const [ours, theirs] = [await releaseOf(candidate, selector), await releaseOf(serving, selector)];
  if (ours.unknownSource) {
    return `${describe(candidate)} was copied from ${ours.unknownSource}, which cannot be read here: its release cannot be dated`;
  }
  if (newerByDate(ours, theirs)) return undefined;
  const made = (at: number | undefined) =>
    at === undefined ? 'an unknown date' : new Date(at).toISOString();
  return `${describe(candidate)}${ours.via} is a release of ${made(ours.madeAt)}, not newer than ${describe(serving)}${theirs.via}, which serves (a release of ${made(theirs.madeAt)})`;
}

/**
 * Orders the releases of several AMIs, newest first, the same way in every Lambda container and whatever
 * else is being ordered: the queue of deployments keeps only the newest release waiting
 * (docs/design.md#newest-wins), and two guards that read the waiting requests moments apart must agree on
 * any two of them. So each AMI gets a key of its own, compared as a whole: with the selector's `versionTag`,
 * AMIs that carry it come first, by version (the same version: by date); then the others, by when each
 * release was made (a copy when its source was). An AMI that cannot be read, or whose date cannot be told,
 * comes last. A request is superseded only by one that is also newer by the serving check's own comparison
 * (`newer`): then whatever that check refuses of the newer one, it refuses of the older one too, and no
 * release it would accept is dropped for one it refuses (with mixed tagged and untagged AMIs, pairs the
 * two views disagree on both wait instead).
 */
export async function newestReleaseFirst(
  amiIds: readonly string[],
  selector: AmiSelector,
): Promise<ReleaseOrder> {
  const keys = new Map<string, { version?: string; madeAt?: number }>();
  for (const amiId of new Set(amiIds)) {
    const image = AMI_ID.test(amiId) ? await findImage(amiId) : undefined;
    keys.set(amiId, {
      version: image && selector.versionTag ? tagValue(image, selector.versionTag) : undefined,
      madeAt: image ? (await releaseOf(image, selector)).madeAt : undefined,
    });
  }
  const madeAt = (key: { madeAt?: number }) => key.madeAt ?? Number.NEGATIVE_INFINITY;
  return {
    rank: (a, b) => {
      const [left, right] = [keys.get(a), keys.get(b)];
      if (!left || !right) return 0;
      if ((left.version === undefined) !== (right.version === undefined)) {
        return left.version === undefined ? 1 : -1;
      }
      const order =
        left.version !== undefined && right.version !== undefined
          ? compareVersions(right.version, left.version)
          : 0;
      if (order !== 0) return order;
      return madeAt(left) === madeAt(right) ? 0 : madeAt(left) > madeAt(right) ? -1 : 1;
    },
    newer: (a, b) => {
      const [left, right] = [keys.get(a), keys.get(b)];
      if (!left || !right) return false;
      if (left.version !== undefined && right.version !== undefined) {
        const order = compareVersions(left.version, right.version);
        if (order !== 0) return order > 0;
      }
      return left.madeAt !== undefined && right.madeAt !== undefined && left.madeAt > right.madeAt;
    },
  };
}

/** Two views of the releases of a set of AMIs (newestReleaseFirst). */
export interface ReleaseOrder {
  /** A total order, newest first: negative when `a` ranks before `b`. */
  rank(a: string, b: string): number;
  /**
   * `a` is a newer release than `b` as the serving check compares two releases (notNewerThanServing): by
   * version when both carry it, otherwise by date; false when that cannot be told.
   */
  newer(a: string, b: string): boolean;
}

const AMI_ID = /^ami-[0-9a-f]+$/;

function newerByDate(ours: Release, theirs: Release): boolean {
  return ours.madeAt === undefined || theirs.madeAt === undefined || ours.madeAt > theirs.madeAt;
}

/** Copies of copies are followed this far at most. */
const MAX_SOURCES = 5;

interface Release {
  madeAt?: number;
  /** How it was made from an earlier AMI of this application, in words (empty when it was not). */
  via: string;
  /** A copy's source that cannot be read (deregistered, or not visible to this account). */
  unknownSource?: string;
}

/**
 * When a release was made: an AMI copied (CopyImage) or restored (CreateRestoreImageTask) from an AMI of
 * this application was made when that one was. An image of an instance (CreateImage, which alone sets
 * `SourceInstanceId`) is a build, made when it was made, whatever AMI the instance ran: a patch build from
 * the serving release is a new release.
 */
async function releaseOf(image: Image, selector: AmiSelector): Promise<Release> {
  let release = image;
  const chain: string[] = [];
  for (let depth = 0; depth < MAX_SOURCES && release.SourceImageId && !release.SourceInstanceId; depth++) {
    const source = await findImage(release.SourceImageId, {
      region: release.SourceImageRegion,
      includeDisabled: true,
    });
    if (!source) return { via: '', unknownSource: release.SourceImageId };
    if (ownershipMismatch(source, selector) !== undefined) break;
    chain.push(source.ImageId ?? release.SourceImageId);
    release = source;
  }
  const madeAt = release.CreationDate ? Date.parse(release.CreationDate) : undefined;
  return {
    madeAt: madeAt === undefined || Number.isNaN(madeAt) ? undefined : madeAt,
    via: chain.length ? ` (copied from ${chain.join(', copied from ')})` : '',
  };
}

function describe(image: Image): string {
  return `${image.ImageId ?? 'the AMI'}${image.Name ? ` ("${image.Name}")` : ''}`;
}

/**
 * Release versions compared as semantic versions where they are: a leading "v" aside, numeric parts as
 * numbers (1.10.0 after 1.9.2, v10 after v9), a pre-release before its release (1.2.0-rc.1 before 1.2.0),
 * build metadata (`+…`) ignored. Parts that are not numbers compare as text.
 */
export function compareVersions(left: string, right: string): number {
  const parse = (version: string) => {
    const [core, ...pre] = version.replace(/^v/i, '').split('+')[0].split('-');
    return { core: core.split('.'), pre: pre.join('-') };
  };
  const [a, b] = [parse(left), parse(right)];
  const order = compareParts(a.core, b.core);
  if (order !== 0) return order;
  if (a.pre === b.pre) return 0;
  if (a.pre === '') return 1;
  if (b.pre === '') return -1;
  return compareParts(a.pre.split('.'), b.pre.split('.'));
}

function compareParts(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? '', b[i] ?? ''];
    if (x === y) continue;
    // A total order, so that sorting is safe and every guard agrees: a missing part first (1.2 before
    // 1.2.0), then numbers by value, then text (semver: numeric identifiers before alphanumeric ones).
    if (x === '' || y === '') return x === '' ? -1 : 1;
    const [xNumeric, yNumeric] = [/^\d+$/.test(x), /^\d+$/.test(y)];
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    const order = xNumeric ? Number(x) - Number(y) : x < y ? -1 : 1;
    if (order !== 0) return Math.sign(order);
  }
  return 0;
}
