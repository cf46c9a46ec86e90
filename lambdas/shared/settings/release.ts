import * as z from 'zod/mini';

/**
 * How a release is recognised (the AMI selector) and what started its deployment, apart from the whole
 * configuration's schema (./index.ts) and the other fields (./fields.ts): the steps that judge a release
 * take these alone.
 */

export const amiSelectorSchema = z
  .strictObject({
    /** The AMI must carry this tag (e.g. Application=webapp). */
    tag: z.optional(
      z.strictObject({ key: z.string().check(z.minLength(1)), value: z.string().check(z.minLength(1)) }),
    ),
    /** The AMI name must match this regular expression. */
    namePattern: z.optional(z.string().check(z.minLength(1))),
    /**
     * The tag whose value orders this application's releases (e.g. "Version": 1.10.0 comes after 1.9.2). An
     * AMI event deploys only a release newer than the one serving; without this tag, by when the AMI (or the
     * AMI of this application it was copied from) was made.
     */
    versionTag: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.refine((s) => s.tag !== undefined || s.namePattern !== undefined, {
      message: 'set "tag" or "namePattern" (or both) so that only this application\'s AMIs are deployed',
    }),
    z.refine((s) => s.namePattern === undefined || isValidRegExp(s.namePattern), {
      message: 'namePattern must be a valid regular expression',
    }),
  );
export type AmiSelector = z.infer<typeof amiSelectorSchema>;

function isValidRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * What started the execution: "ami-event" when the rule on EC2's AMI events did, "image-builder" when the
 * rule on EC2 Image Builder's image events did, "recovery" when the rule on the state machine's own status
 * changes did, to clean up after a stopped deployment (docs/recovery.md). Such an automatic execution skips an AMI of another
 * application, or an older release than the one serving, where a pipeline's is refused or deploys.
 */
export const triggerSchema = z.enum(['pipeline', 'ami-event', 'image-builder', 'recovery']);
export type Trigger = z.infer<typeof triggerSchema>;

/** A release started by an event, not by a person or a pipeline: held to newer releases of this application. */
export function isAutomatic(trigger: Trigger): boolean {
  return trigger === 'ami-event' || trigger === 'image-builder';
}

const IMAGE_PIPELINE_ARN = /^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:\d{12}:image-pipeline\/[a-z0-9-_]+$/;

/**
 * EC2 Image Builder pipelines that build this application's AMIs (docs/design.md#ec2-image-builder): an
 * image one of them built deploys once Image Builder reports it AVAILABLE (built, tested and distributed).
 */
export const imageBuilderSchema = z.strictObject({
  pipelineArns: z
    .array(
      z
        .string()
        .check(
          z.regex(
            IMAGE_PIPELINE_ARN,
            'must be an image pipeline ARN like "arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/webapp"',
          ),
        ),
    )
    .check(z.minLength(1)),
});
export type ImageBuilderSettings = z.infer<typeof imageBuilderSchema>;

/**
 * What a request does when another deployment runs (docs/design.md#newest-wins): `queue-newest` waits for
 * it to end, and of the requests waiting only the newest release's stays (the others end as superseded);
 * `reject` refuses it (DeploymentInProgress), for pipelines that retry on their own.
 */
export const whileDeployingSchema = z.enum(['queue-newest', 'reject']);
export type WhileDeploying = z.infer<typeof whileDeployingSchema>;
