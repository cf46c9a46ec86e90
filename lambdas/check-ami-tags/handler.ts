import { tagValue } from '../shared/ami-selector';
import { findImage } from '../shared/aws/ec2';
import { defineHandler } from '../shared/handler';
import { waitClock, type WaitState } from '../shared/wait';
import { InputSchema, type Input } from './input';

/**
 * Waits for an AMI event's AMI to carry the selector's tag key (docs/design.md#late-tags): done once it does,
 * or once `waits.amiTags` has passed, when the validation judges it as it is (another application's, and
 * skipped, if the tag never came). Reaching the deadline is not a failure here. Read-only.
 */
async function run({ amiId, tagKey, wait, timeoutSeconds }: Input): Promise<WaitState> {
  const { startedAt, elapsedSeconds } = waitClock(wait);
  const image = await findImage(amiId);
  // Deregistered meanwhile: the validation, run again, ends it as skipped.
  if (!image) return { startedAt, done: true, elapsedSeconds, detail: `${amiId} no longer exists` };
  const value = tagValue(image, tagKey);
  if (value !== undefined) {
    return { startedAt, done: true, elapsedSeconds, detail: `${amiId} is tagged ${tagKey}=${value}` };
  }
  const done = elapsedSeconds >= timeoutSeconds;
  return {
    startedAt,
    done,
    elapsedSeconds,
    detail: done
      ? `${amiId} still has no tag ${tagKey} after ${elapsedSeconds} s: validating it as it is`
      : `${amiId} has no tag ${tagKey} yet (${elapsedSeconds} of ${timeoutSeconds} s)`,
  };
}

export const handler = defineHandler('check-ami-tags', InputSchema, run);
