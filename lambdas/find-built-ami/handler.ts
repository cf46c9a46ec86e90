import { getImage } from '../shared/aws/image-builder';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

/**
 * Find the AMI an EC2 Image Builder image built (docs/design.md#ec2-image-builder). The image state change
 * event names only the image; GetImage names the pipeline that built it and the AMIs it distributed
 * (docs/aws-facts/image-builder.md). An image that is not AVAILABLE, not built by a configured pipeline, or
 * distributed to no AMI in this account and Region is not this application's release: the execution ends as
 * skipped, with the reason. Read-only.
 */

export interface BuiltAmi {
  /** The AMI to validate and deploy; null when the image is not a release to deploy here. */
  amiId: string | null;
  /** Why, in plain words. */
  reason: string;
}

async function run({ imageBuildVersionArn, imageBuilder, execution }: Input): Promise<BuiltAmi> {
  const [, partition, , region, account] = execution.stateMachineArn.split(':');
  const image = await getImage(imageBuildVersionArn);
  const named = `image ${imageBuildVersionArn}`;
  const status = image.state?.status;
  // The event comes at every status change; the rule matches AVAILABLE, but events are best effort and a
  // later change (deprecated, disabled) may have come since.
  if (status !== 'AVAILABLE') return skip(`${named} is ${status ?? 'in an unknown state'}, not AVAILABLE`);
  const pipeline = image.sourcePipelineArn;
  if (!pipeline || !imageBuilder.pipelineArns.includes(pipeline)) {
    return skip(
      `${named} was built by ${pipeline ? `pipeline ${pipeline}` : 'no pipeline (a one-off build)'}, not by ` +
        `one this application deploys (imageBuilder.pipelineArns)`,
    );
  }
  const amis = image.outputResources?.amis ?? [];
  const here = amis.find(
    (ami) => ami.region === region && (ami.accountId === undefined || ami.accountId === account) && ami.image,
  );
  if (!here?.image) {
    const where = amis.map((ami) => `${ami.image ?? '?'} in ${ami.region ?? '?'}`).join(', ') || 'no AMI';
    return skip(
      `${named} distributed ${where}, none to ${region} in account ${account} (${partition}), where this ` +
        `application runs: add this Region and account to the pipeline's distribution configuration`,
    );
  }
  return { amiId: here.image, reason: `${named} of pipeline ${pipeline} built ${here.image} in ${region}` };
}

function skip(reason: string): BuiltAmi {
  return { amiId: null, reason };
}

export const handler = defineHandler('find-built-ami', InputSchema, run);
