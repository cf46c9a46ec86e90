import type { Image } from '@aws-sdk/client-ec2';
import { describeImage, findImage } from '../shared/aws/ec2';
import { executionArnFor } from '../shared/contract/arns';
import {
  AmiNotAvailableError,
  AmiNotRecognisedError,
  InvalidConfigurationError,
  InvalidInputError,
} from '../shared/errors';
import { ownershipMismatch, tagValue } from '../shared/ami-selector';
import { defineHandler } from '../shared/handler';
import {
  deploymentRequestSchema,
  imageBuildRequestSchema,
  maxRollbackWindowMinutes,
  recoveryRequestSchema,
  settingsSchema,
  type DeploymentRequest,
  type ImageBuildRequest,
  type RecoveryRequest,
  type Settings,
} from '../shared/settings';
import { isAutomatic } from '../shared/settings/release';
import type { ExecutionRef } from '../shared/types';
import { explainIssues } from './issues';
import { InputSchema, type Input } from './input';

/**
 * Validate deployment request (docs/design.md#the-flow): the request, the configuration and the AMI, checked
 * before anything else runs. Read-only by construction (I8): the only AWS call is DescribeImages.
 */

export interface ValidatedRequest {
  execution: ExecutionRef;
  /** Null only for an Image Builder request, until its image has named its AMI (`imageBuildVersionArn`). */
  amiId: string | null;
  /**
   * An EC2 Image Builder image whose AMI is to be found first (lambdas/find-built-ami), then validated like
   * any other: docs/design.md#ec2-image-builder.
   */
  imageBuildVersionArn: string | null;
  /** A recovery's stopped execution (docs/recovery.md); null for a deployment. */
  recoverFrom: string | null;
  trigger: DeploymentRequest['trigger'];
  settings: Settings;
  skip: boolean;
  skipReason: string | null;
  /**
   * An AMI event's AMI without the selector's tag key, early enough to wait for its tags (`waits.amiTags`):
   * not judged yet. The definition waits for the tags, then validates again.
   */
  tagsPending: boolean;
  ami: { id: string; name: string | null } | null;
}

async function run(input: Input): Promise<ValidatedRequest> {
  const configured = parseConfig(input.config);
  const parsed = parseRequest(input.request);
  if ('imageBuildVersionArn' in parsed) return imageToFind(parsed, configured, input.execution);
  if ('recoverFrom' in parsed) return recovery(parsed, configured, input.execution);
  const request = parsed;
  const settings = applyOverrides(configured, request);

  const image = await describeImageOrGone(request.amiId, request.trigger);
  if (image === undefined) {
    // An AMI event's AMI deregistered since (a build tool cleaning up after a failed build): nothing to do.
    return {
      execution: input.execution,
      amiId: request.amiId,
      imageBuildVersionArn: null,
      recoverFrom: null,
      trigger: request.trigger,
      settings,
      ami: { id: request.amiId, name: null },
      skip: true,
      skipReason: `AMI ${request.amiId} no longer exists (deregistered since its event)`,
      tagsPending: false,
    };
  }
  const ami = { id: request.amiId, name: image.Name ?? null };
  const judged = {
    execution: input.execution,
    amiId: request.amiId,
    imageBuildVersionArn: null,
    recoverFrom: null,
    trigger: request.trigger,
    settings,
    ami,
  };

  // Ownership before state: a foreign AMI that happens to be pending or failed is still someone else's,
  // and an AMI event for another application must be skipped, not turned into a failed execution.
  const mismatch = ownershipMismatch(image, settings.amiSelector);
  if (mismatch && request.trigger === 'ami-event' && tagsMayStillCome(image, settings, input.execution)) {
    return { ...judged, skip: false, skipReason: null, tagsPending: true };
  }
  if (mismatch) {
    const waited =
      request.trigger === 'ami-event' && onlyTagsMissing(image, settings)
        ? ` (its tags were awaited for ${settings.waits.amiTags.timeoutSeconds} s: waits.amiTags)`
        : '';
    const reason = `AMI ${request.amiId}${ami.name ? ` ("${ami.name}")` : ''} is not an AMI of ${settings.applicationName}: ${mismatch}${waited}`;
    if (isAutomatic(request.trigger)) {
      return { ...judged, skip: true, skipReason: reason, tagsPending: false };
    }
    throw new AmiNotRecognisedError(
      `${reason}. Check the AMI id the pipeline passed, or the amiSelector in the deployment configuration. ` +
        `Tags of an AMI shared from another account are not visible here: select such AMIs by namePattern.`,
    );
  }

  if (image.State !== 'available') throw notAvailable(request.amiId, image.State);

  return { ...judged, skip: false, skipReason: null, tagsPending: false };
}

/**
 * Whether an AMI that fails the selector may yet pass it: it is available, the selector names a tag the AMI
 * has no value for at all, and the execution is younger than `waits.amiTags` allows. The AMI event comes when the AMI becomes
 * available, and tools such as Packer tag it only then (docs/aws-facts/launch-templates-and-amis.md#ami-events):
 * judged at once, a release would be skipped as another application's. An AMI carrying the key with another
 * value is judged at once.
 */
function tagsMayStillCome(image: Image, settings: Settings, execution: ExecutionRef): boolean {
  return (
    onlyTagsMissing(image, settings) &&
    Date.now() < Date.parse(execution.startTime) + settings.waits.amiTags.timeoutSeconds * 1000
  );
}

/**
 * The AMI fails the selector for want of its tag alone: it is available (one that failed never becomes a
 * release), has no value at all for the selector's tag key, and its name, which cannot change, matches the
 * selector's name pattern if there is one.
 */
function onlyTagsMissing(image: Image, settings: Settings): boolean {
  const { tag, namePattern } = settings.amiSelector;
  if (tag === undefined || image.State !== 'available') return false;
  if (tagValue(image, tag.key) !== undefined) return false;
  return namePattern === undefined || new RegExp(namePattern).test(image.Name ?? '');
}

/** The AMI; for an AMI event, undefined when it no longer exists, which a pipeline's request is refused for. */
function describeImageOrGone(
  amiId: string,
  trigger: DeploymentRequest['trigger'],
): Promise<Image | undefined> {
  // A disabled AMI is refused as not available, which DescribeImages shows only when asked.
  const lookup = { includeDisabled: true };
  return isAutomatic(trigger) ? findImage(amiId, lookup) : describeImage(amiId, lookup);
}

/**
 * An EC2 Image Builder image's request names no AMI: the definition finds the AMI the image built, then
 * validates it. Refused when no pipeline is configured (someone started it by hand).
 */
function imageToFind(
  request: ImageBuildRequest,
  settings: Settings,
  execution: ExecutionRef,
): ValidatedRequest {
  if (!settings.imageBuilder) {
    throw new InvalidInputError(
      `Invalid deployment request: imageBuildVersionArn: this orchestrator deploys no EC2 Image Builder ` +
        `pipeline's images (imageBuilder.pipelineArns is not configured). Configure the pipeline, or start ` +
        `the deployment with {"amiId": "ami-…"} of the AMI the image built.`,
    );
  }
  return withoutAmi(execution, settings, request.trigger, {
    imageBuildVersionArn: request.imageBuildVersionArn,
  });
}

/** A recovery names an execution of this state machine, and no AMI: it resumes that one's clean-up. */
function recovery(request: RecoveryRequest, settings: Settings, execution: ExecutionRef): ValidatedRequest {
  const ours = executionArnFor(execution.stateMachineArn, '');
  if (!request.recoverFrom.startsWith(ours)) {
    throw new InvalidInputError(
      `Invalid deployment request: recoverFrom: ${request.recoverFrom} is not an execution of this state ` +
        `machine (${execution.stateMachineArn}); name one of its executions.`,
    );
  }
  return withoutAmi(execution, settings, request.trigger, { recoverFrom: request.recoverFrom });
}

/** A request validated before its AMI is known (an image to read, or a recovery that deploys none). */
function withoutAmi(
  execution: ExecutionRef,
  settings: Settings,
  trigger: ValidatedRequest['trigger'],
  names: { imageBuildVersionArn?: string; recoverFrom?: string },
): ValidatedRequest {
  return {
    execution,
    amiId: null,
    imageBuildVersionArn: names.imageBuildVersionArn ?? null,
    recoverFrom: names.recoverFrom ?? null,
    trigger,
    settings,
    skip: false,
    skipReason: null,
    tagsPending: false,
    ami: null,
  };
}

function parseConfig(config: unknown): Settings {
  const parsed = settingsSchema.safeParse(config);
  if (!parsed.success) {
    throw new InvalidConfigurationError(
      `The deployment configuration is invalid: ${explainIssues(parsed.error, settingsSchema, 'config')}. ` +
        `Fix the configuration file and deploy the orchestrator again (cdk deploy).`,
    );
  }
  return parsed.data;
}

function parseRequest(request: unknown): DeploymentRequest | ImageBuildRequest | RecoveryRequest {
  const notAnObject = describeNonObject(request);
  if (notAnObject) {
    throw new InvalidInputError(
      `Invalid deployment request: input: must be a JSON object like {"amiId": "ami-0123456789abcdef0"}, got ${notAnObject}.`,
    );
  }
  if (typeof request === 'object' && request !== null && 'imageBuildVersionArn' in request) {
    const image = imageBuildRequestSchema.safeParse(request);
    if (image.success) return image.data;
    throw new InvalidInputError(
      `Invalid deployment request: ${explainIssues(image.error, imageBuildRequestSchema, 'request')}. ` +
        `The rule on EC2 Image Builder's events starts {"imageBuildVersionArn": "arn:aws:imagebuilder:…:image/NAME/1.2.0/1", "trigger": "image-builder"}.`,
    );
  }
  if (typeof request === 'object' && request !== null && 'recoverFrom' in request) {
    const recover = recoveryRequestSchema.safeParse(request);
    if (recover.success) return recover.data;
    throw new InvalidInputError(
      `Invalid deployment request: ${explainIssues(recover.error, recoveryRequestSchema, 'request')}. ` +
        `A recovery is started with {"recoverFrom": "arn:aws:states:…:execution:…", "trigger": "recovery"}.`,
    );
  }
  const parsed = deploymentRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new InvalidInputError(
      `Invalid deployment request: ${explainIssues(parsed.error, deploymentRequestSchema, 'request')}. ` +
        `Expected input like {"amiId": "ami-0123456789abcdef0", "overrides": {"rollbackWindowMinutes": 30}}.`,
    );
  }
  return parsed.data;
}

/**
 * What the execution input is when it is not a JSON object (StartExecution takes any JSON text), in words
 * that point at the fix; undefined for an object.
 */
function describeNonObject(request: unknown): string | undefined {
  if (request === null) return 'null';
  if (Array.isArray(request)) {
    const [first] = request as unknown[];
    return request.length === 1 && typeof first === 'string' && /^ami-[0-9a-f]{1,29}$/.test(first)
      ? `an array; to deploy ${first}, start the execution with {"amiId": "${first}"}`
      : request.length === 0
        ? 'an empty array'
        : `an array of ${request.length} item${request.length === 1 ? '' : 's'}`;
  }
  switch (typeof request) {
    case 'object':
      return undefined;
    case 'string':
      return /^ami-[0-9a-f]{1,29}$/.test(request)
        ? `the string "${request}"; to deploy it, start the execution with {"amiId": "${request}"}`
        : `a string (${JSON.stringify(request.length > 40 ? `${request.slice(0, 40)}…` : request)})`;
    case 'number':
      return `a number (${request})`;
    case 'boolean':
      return `a boolean (${request})`;
    default:
      return `no JSON value (${typeof request})`;
  }
}

/** Overrides are bounded by their own schema, then the merged settings by the cross-field rules. */
function applyOverrides(settings: Settings, request: DeploymentRequest): Settings {
  const overrides = request.overrides;
  if (!overrides) return settings;
  const merged = {
    ...settings,
    monitoring: {
      ...settings.monitoring,
      ...(overrides.rollbackWindowMinutes !== undefined && {
        rollbackWindowMinutes: overrides.rollbackWindowMinutes,
      }),
    },
    ...(overrides.capacity !== undefined && { capacity: overrides.capacity }),
    ...(overrides.shift !== undefined && { shift: { ...settings.shift, ...overrides.shift } }),
  };
  const parsed = settingsSchema.safeParse(merged);
  if (parsed.success) return parsed.data;

  const problems = parsed.error.issues.map((issue) => {
    // The configured settings passed, and waits cannot be overridden: a monitoring or waits rule broken now
    // is the window's size in history events, on its own or with the waits and retries of the whole path.
    if (issue.path[0] === 'waits' && overrides.shift !== undefined) {
      return (
        `overrides.shift: ${JSON.stringify(overrides.shift)} takes more steps and bake time than the ` +
        `execution history allows with the configured waits and window (Step Functions' 25,000 events); ` +
        `take fewer steps (a larger linearStepPercent, or canary) or shorter bakes`
      );
    }
    if (issue.path[0] === 'monitoring' || issue.path[0] === 'waits') {
      const interval = settings.monitoring.intervalSeconds;
      const maxMinutes = maxRollbackWindowMinutes(settings);
      return (
        `overrides.rollbackWindowMinutes: ${overrides.rollbackWindowMinutes} minutes is too long for the ` +
        `configured waits and monitoring interval of ${interval} s (it would exceed the execution history ` +
        `limit); use at most ${maxMinutes} minutes`
      );
    }
    const field =
      issue.path[0] === 'capacity' || issue.path[0] === 'shift'
        ? `overrides.${issue.path.join('.')}`
        : issue.path.join('.') || 'overrides';
    return `${field}: ${issue.message}`;
  });
  throw new InvalidInputError(`Invalid deployment request: ${[...new Set(problems)].join('; ')}.`);
}

function notAvailable(amiId: string, state: string | undefined): AmiNotAvailableError {
  if (state === 'pending' || state === 'transient') {
    return new AmiNotAvailableError(
      `AMI ${amiId} is ${state}; start the deployment again once it is available.`,
    );
  }
  return new AmiNotAvailableError(
    `AMI ${amiId} is ${state ?? 'in an unknown state'} and cannot be deployed; build or choose an AMI ` +
      `in the available state and start the deployment again.`,
  );
}

export const handler = defineHandler('validate-request', InputSchema, run);
