/**
 * EC2 Image Builder as far as a release pipeline built on it shows itself to the account: its images (build
 * versions) with the AMI each outputs, GetImage, and the "EC2 Image Builder Image State Change" events it
 * sends to the default bus as an image moves on (docs/aws-facts/image-builder.md).
 */
import { GetImageCommand, type Image, type ImageStatus } from '@aws-sdk/client-imagebuilder';
import type { AmiDescription, ImageBuilderImageDescription } from './environment';
import { serviceError } from './errors';
import type { ServiceEvent } from './eventbridge';
import { route, type Route } from './router';

/** GetImage API reference: the imageBuildVersionArn pattern (a build version, or a version with wildcards). */
const IMAGE_ARN =
  /^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):image\/([a-z0-9-_]+)\/(?:(?:([0-9]+|x)\.([0-9]+|x)\.([0-9]+|x))|(?:([0-9]+)\.([0-9]+)\.([0-9]+)\/([0-9]+)))$/;

export interface ImageBuilderOptions {
  readonly images: readonly ImageBuilderImageDescription[];
  /** The simulated EC2's AMIs as they stand (their states change), where the output AMIs must be. */
  readonly amis: ReadonlyMap<string, AmiDescription>;
  /** The AMIs as the environment describes them, with the times they become available and tagged. */
  readonly describedAmis: readonly AmiDescription[];
  readonly region: string;
  readonly accountId: string;
  readonly startedAt: number;
  readonly emit: (event: ServiceEvent) => void;
}

interface ImageRecord {
  readonly description: ImageBuilderImageDescription;
  readonly name: string;
  /** `X.Y.Z`, and the build number. */
  readonly version: string;
  readonly build: number;
  status: ImageStatus;
  /** When it becomes AVAILABLE, once known (never, until an image the environment gives no time completes). */
  availableAt: number;
}

const imageBuilderError = (name: string, message: string): Error =>
  serviceError('imagebuilder', name, message);

export class ImageBuilder {
  private readonly images: ImageRecord[];

  constructor(private readonly options: ImageBuilderOptions) {
    this.images = options.images.map((description) => {
      const match = IMAGE_ARN.exec(description.arn);
      if (!match?.[8]) throw new Error(`Image Builder image ${description.arn}: not a build version ARN`);
      const { availableAfterSeconds } = description;
      if (availableAfterSeconds !== undefined) {
        checkOutput(
          description,
          options.describedAmis.find((ami) => ami.id === description.amiId),
          availableAfterSeconds,
        );
      }
      const version = `${match[5]}.${match[6]}.${match[7]}`;
      const image: ImageRecord = {
        description,
        name: match[1],
        version,
        build: Number(match[8]),
        status: 'BUILDING',
        availableAt:
          availableAfterSeconds === undefined ? Infinity : options.startedAt + availableAfterSeconds * 1000,
      };
      // What has happened before the simulation starts sent its events then.
      image.status = this.statusAt(image, options.startedAt);
      return image;
    });
  }

  routes(): Route[] {
    return [
      route(GetImageCommand, (input) => ({ image: this.describe(this.find(input.imageBuildVersionArn)) })),
    ];
  }

  /**
   * The account owner's pipeline completes an image the environment gives no time: it becomes AVAILABLE
   * `afterSeconds` from `now` (testing and distribution), its AMI available and tagged by then.
   */
  complete(arn: string, now: number, afterSeconds: number): void {
    const image = this.images.find((candidate) => candidate.description.arn === arn);
    if (!image || image.description.availableAfterSeconds !== undefined)
      throw new Error(`Image Builder image ${arn}: not an image of the environment without a time`);
    image.availableAt = now + afterSeconds * 1000;
    const ami = this.options.amis.get(image.description.amiId);
    const elapsed = (image.availableAt - this.options.startedAt) / 1000;
    checkOutput(image.description, ami && { ...ami, availableAfterSeconds: undefined }, elapsed);
  }

  /**
   * Each image moves on at its times: TESTING once its AMI exists and is available (Image Builder tests an
   * instance launched from the new AMI), AVAILABLE at its time, after distribution. Every change of status is
   * an "EC2 Image Builder Image State Change" event.
   */
  step(now: number): void {
    for (const image of this.images) {
      const next = this.statusAt(image, now);
      if (next === image.status) continue;
      const previous = image.status;
      image.status = next;
      this.options.emit({
        source: 'aws.imagebuilder',
        detailType: 'EC2 Image Builder Image State Change',
        resources: [image.description.arn],
        detail: { 'previous-state': { status: previous }, state: { status: next } },
      });
    }
  }

  private statusAt(image: ImageRecord, now: number): ImageStatus {
    if (now >= image.availableAt) return 'AVAILABLE';
    return this.options.amis.get(image.description.amiId)?.state === 'available' ? 'TESTING' : 'BUILDING';
  }

  /**
   * GetImage: a full build version ARN names one build, in any state; a version ARN, with or without `x`
   * wildcards, "resolves to the latest matching build version that has reached AVAILABLE status".
   */
  private find(arn: string | undefined): ImageRecord {
    const match = arn === undefined ? null : IMAGE_ARN.exec(arn);
    // UNCONFIRMED: the error and text for an ARN outside the pattern (GetImage lists InvalidRequestException).
    if (!match) throw imageBuilderError('InvalidRequestException', `Invalid imageBuildVersionArn: ${arn}`);
    const found = match[8]
      ? this.images.find((image) => image.description.arn === arn)
      : this.images
          .filter((image) => image.name === match[1] && image.status === 'AVAILABLE')
          .filter((image) => versionMatches(image.version, [match[2], match[3], match[4]]))
          .sort((a, b) => compareVersions(b, a))[0];
    // UNCONFIRMED: GetImage's errors list ClientException for "an invalid resource identifier", not
    // ResourceNotFoundException, which other Image Builder operations list.
    if (!found) throw imageBuilderError('ClientException', `Resource '${arn}' does not exist`);
    return found;
  }

  /** The Image that GetImage answers (API reference, Image; only the fields modelled). */
  private describe(image: ImageRecord): Image {
    const { description } = image;
    const ami = this.options.amis.get(description.amiId);
    const distributed = image.status !== 'BUILDING' && ami !== undefined;
    return {
      arn: description.arn,
      type: 'AMI',
      name: image.name,
      version: `${image.version}/${image.build}`,
      platform: 'Linux',
      state: { status: image.status },
      ...(description.pipelineArn !== undefined && { sourcePipelineArn: description.pipelineArn }),
      outputResources: {
        amis: distributed
          ? [
              {
                region: this.options.region,
                image: ami.id,
                name: ami.name,
                accountId: this.options.accountId,
              },
            ]
          : [],
      },
      tags: { ...description.tags },
    };
  }
}

/** "ends in the AVAILABLE ... state" after distribution: the AMI exists, available and tagged, by then. */
function checkOutput(
  description: ImageBuilderImageDescription,
  ami: AmiDescription | undefined,
  availableAfterSeconds: number,
): void {
  const problem = !ami
    ? 'is not among the AMIs'
    : ami.state !== 'available'
      ? `ends ${ami.state}`
      : (ami.availableAfterSeconds ?? 0) > availableAfterSeconds
        ? 'is available only after the image'
        : (ami.tagsAfterSeconds ?? 0) > availableAfterSeconds
          ? 'is tagged only after the image is AVAILABLE'
          : undefined;
  if (problem)
    throw new Error(`Image Builder image ${description.arn}: its AMI ${description.amiId} ${problem}`);
}

function versionMatches(version: string, wanted: (string | undefined)[]): boolean {
  return version.split('.').every((part, i) => wanted[i] === 'x' || wanted[i] === part);
}

function compareVersions(a: ImageRecord, b: ImageRecord): number {
  const [x, y] = [a.version.split('.').map(Number), b.version.split('.').map(Number)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return a.build - b.build;
}
