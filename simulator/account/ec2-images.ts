/**
 * How AMIs change state in the simulated EC2, and the "EC2 AMI State Change" events EC2 sends to the
 * default event bus when they do: a build published during the simulation, CopyImage, DisableImage and
 * EnableImage. Sources: "Monitor AMI events using Amazon EventBridge" (EC2 User Guide) and the EC2 API
 * reference (docs/aws-facts/launch-templates-and-amis.md#ami-events).
 */
import {
  CopyImageCommand,
  DisableImageCommand,
  EnableImageCommand,
  type CopyImageRequest,
} from '@aws-sdk/client-ec2';
import type { AmiDescription, AmiState } from './environment';
import { serviceError } from './errors';
import type { ServiceEvent } from './eventbridge';
import type { Random } from './random';
import { route, type Route } from './router';

/** How long a copy stays `pending` (UNCONFIRMED: AWS gives no figure; it depends on the snapshots' size). */
export const COPY_SECONDS = 60;

const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

export interface AmiLifecycleOptions {
  /** The simulated EC2's AMIs, changed in place. */
  readonly images: Map<string, AmiDescription>;
  readonly region: string;
  readonly startedAt: number;
  readonly now: () => number;
  readonly ids: Random;
  /** The AMI's tags as DescribeImages shows them now (none before its `tagsAfterSeconds`). */
  readonly tagsOf: (image: AmiDescription) => Record<string, string>;
  readonly emit: (event: ServiceEvent) => void;
  /** Told of each copy made, so that it runs what its source runs. */
  readonly copied?: (sourceId: string, copyId: string) => void;
}

const ec2Error = (name: string, message: string): Error => serviceError('ec2', name, message);

export class AmiLifecycle {
  /** AMIs that become `available` at a time, with the request that made them (the event's RequestId). */
  private readonly pending = new Map<string, { at: number; requestId: string }>();

  constructor(private readonly options: AmiLifecycleOptions) {
    for (const image of options.images.values()) {
      if (!image.availableAfterSeconds || image.state !== 'available') continue;
      image.state = 'pending';
      const at = options.startedAt + image.availableAfterSeconds * 1000;
      this.pending.set(image.id, { at, requestId: options.ids.uuid() });
    }
  }

  routes(): Route[] {
    return [
      route(CopyImageCommand, (input) => ({ ImageId: this.copy(input) })),
      route(DisableImageCommand, (input) => {
        const image = this.find(input.ImageId);
        // DisableImage is synchronous: its event comes at once, and only on success (AMI events page).
        if (image.state === 'available') this.enter(image, 'disabled', this.options.ids.uuid());
        return { Return: true };
      }),
      route(EnableImageCommand, (input) => {
        const image = this.find(input.ImageId);
        // EnableImage: "The re-enabled AMI is marked as available" (API reference), with an event.
        if (image.state === 'disabled') this.enter(image, 'available', this.options.ids.uuid());
        return { Return: true };
      }),
    ];
  }

  /** Brings pending AMIs that are due to `available`, each with its event. */
  step(now: number): void {
    for (const [id, { at, requestId }] of this.pending) {
      if (at > now) continue;
      this.pending.delete(id);
      const image = this.options.images.get(id);
      if (image?.state === 'pending') this.enter(image, 'available', requestId);
    }
  }

  /**
   * A build the account owner's pipeline finishes now (what a scenario's run does at its start): the
   * `pending` AMI becomes available, with its event, and carries its tags `tagsAfterSeconds` later when given
   * (Packer tags an AMI once it is available). Anything but a pending AMI is the scenario's mistake.
   */
  publish(imageId: string, tagsAfterSeconds?: number): void {
    const image = this.options.images.get(imageId);
    if (image?.state !== 'pending')
      throw new Error(
        `AMI ${imageId} is ${image?.state ?? 'unknown'}: only a pending build can be published`,
      );
    this.pending.delete(imageId);
    if (tagsAfterSeconds !== undefined) {
      const elapsed = Math.round((this.options.now() - this.options.startedAt) / 1000);
      image.tagsAfterSeconds = elapsed + tagsAfterSeconds;
    }
    this.enter(image, 'available', this.options.ids.uuid());
  }

  /**
   * CopyImage (API reference): Name, SourceImageId and SourceRegion are required; the answer is the new
   * AMI's id; the copy is `pending` until it completes. "Default: Your user-defined AMI tags are not copied"
   * (CopyImageTags); TagSpecifications of type `image` tag the new AMI.
   */
  private copy(input: CopyImageRequest): string {
    for (const name of ['Name', 'SourceImageId', 'SourceRegion'] as const) {
      if (!input[name]) throw ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
    }
    // The simulated account holds one Region: an AMI elsewhere is not found.
    if (input.SourceRegion !== this.options.region) {
      throw ec2Error('InvalidAMIID.NotFound', `The image id '[${input.SourceImageId}]' does not exist`);
    }
    const source = this.find(input.SourceImageId);
    if (source.state !== 'available') {
      // EC2 error codes: InvalidAMIID.Unavailable, an AMI in an unusable state (text UNCONFIRMED).
      throw ec2Error('InvalidAMIID.Unavailable', `The image id '[${source.id}]' is not available`);
    }
    const id = `ami-${this.options.ids.hex(17)}`;
    const requested = (input.TagSpecifications ?? [])
      .filter((spec) => spec.ResourceType === 'image')
      .flatMap((spec) => spec.Tags ?? []);
    const now = this.options.now();
    this.options.images.set(id, {
      id,
      name: String(input.Name),
      state: 'pending',
      tags: {
        ...(input.CopyImageTags === true ? this.options.tagsOf(source) : {}),
        ...Object.fromEntries(requested.map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      },
      creationDate: new Date(now).toISOString(),
      // DescribeImages reports SourceImageId and SourceImageRegion for a copy (API reference, Image).
      sourceImageId: source.id,
      behaviour: source.behaviour,
    });
    this.options.copied?.(source.id, id);
    this.pending.set(id, { at: now + COPY_SECONDS * 1000, requestId: this.options.ids.uuid() });
    return id;
  }

  private find(imageId: string | undefined): AmiDescription {
    if (!imageId) throw ec2Error('MissingParameter', 'The request must contain the parameter ImageId');
    if (!AMI_ID.test(imageId))
      throw ec2Error('InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
    const image = this.options.images.get(imageId);
    if (!image) throw ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    return image;
  }

  /**
   * The AMI enters `state`, and EC2 sends "EC2 AMI State Change" (source aws.ec2) with the image ARN (no
   * account in it) as its resource and RequestId, ImageId, State and ErrorMessage as its detail.
   */
  private enter(image: AmiDescription, state: AmiState, requestId: string): void {
    image.state = state;
    this.options.emit({
      source: 'aws.ec2',
      detailType: 'EC2 AMI State Change',
      resources: [`arn:aws:ec2:${this.options.region}::image/${image.id}`],
      detail: { RequestId: requestId, ImageId: image.id, State: state, ErrorMessage: '' },
    });
  }
}
