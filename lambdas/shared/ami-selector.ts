import type { Image } from '@aws-sdk/client-ec2';
import type { AmiSelector } from './settings/release';

/** The value of an AMI's tag; undefined when it has no such tag. */
export function tagValue(image: Image, key: string): string | undefined {
  return image.Tags?.find((tag) => tag.Key === key)?.Value;
}

/** Why the AMI fails the selector, in plain words; undefined when it belongs to this application. */
export function ownershipMismatch(image: Image, selector: AmiSelector): string | undefined {
  const reasons: string[] = [];
  if (selector.tag) {
    const { key, value } = selector.tag;
    const actual = tagValue(image, key);
    if (actual !== value) {
      reasons.push(
        actual === undefined
          ? `it has no tag ${key}=${value}`
          : `its tag ${key} is "${actual}", not "${value}"`,
      );
    }
  }
  if (selector.namePattern !== undefined) {
    const name = image.Name ?? '';
    if (!new RegExp(selector.namePattern).test(name)) {
      reasons.push(`its name "${name}" does not match /${selector.namePattern}/`);
    }
  }
  return reasons.length > 0 ? reasons.join(' and ') : undefined;
}
