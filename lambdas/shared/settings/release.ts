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
 * What started the execution: "ami-event" when the EventBridge rule did. Such an execution skips an AMI of
 * another application, or an older release than the one serving, where a pipeline's is refused or deploys.
 */
export const triggerSchema = z.enum(['pipeline', 'ami-event']);

/**
 * What a request does when another deployment runs (docs/design.md#newest-wins): `queue-newest` waits for
 * it to end, and of the requests waiting only the newest release's stays (the others end as superseded);
 * `reject` refuses it (DeploymentInProgress), for pipelines that retry on their own.
 */
export const whileDeployingSchema = z.enum(['queue-newest', 'reject']);
export type WhileDeploying = z.infer<typeof whileDeployingSchema>;
