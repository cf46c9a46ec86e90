// Over 250 lines: the whole configuration schema, each field with its limits and message, in the one place docs/configuration.md's table mirrors.
import * as z from 'zod/mini';
import { amiIdSchema, applicationNameSchema } from '../contract/schemas';
import { approvalSchema } from './approval';
import { amiSelectorSchema, imageBuilderSchema, triggerSchema, whileDeployingSchema } from './release';
import { hooksElsewhere, hooksSchema } from './hooks';
import {
  groupsSchema,
  syntheticHeaderSchema,
  targetGroupsSchema,
  capacitySchema,
  targetGroupLocation,
  targetGroupsOutside,
} from './fields';
import { MAX_ROLLBACK_WINDOW_MINUTES, monitoringSchema } from './monitoring';
import { KEEP_CHECK_INTERVAL_SECONDS, keepMinutesSchema } from './keep';
import { shiftOverrideSchema, shiftSchema } from './shift';
import { historyBudget, MAX_HISTORY_EVENTS, maxRollbackWindowMinutes } from './history-budget';

export { amiIdSchema };
export * from './fields';
export * from './monitoring';
export * from './release';
export * from './approval';
export * from './hooks';
export * from './keep';
export * from './shift';
export * from './history-budget';

/**
 * The deployment settings: validated at synth time from the configuration file (infra/config.ts), embedded
 * in the state machine definition, merged with the execution's overrides and validated again by the
 * validate step. One schema serves both, so a value `cdk synth` accepts is a value the Lambdas accept.
 */

/** The capacity of a new version: at least one instance, or there is nothing to check or to shift to. */
const deploymentCapacitySchema = capacitySchema.check(
  z.refine((c) => c.desired >= 1, {
    message: 'desired must be at least 1: a new version with no instance cannot be checked or serve',
  }),
);

/** Lambda's own time limit: 15 minutes. */
export const LAMBDA_MAX_SECONDS = 900;
/** What the synthetic-check step needs besides its requests (start, reading the listener, the verdict). */
export const SYNTHETIC_CHECK_OVERHEAD_SECONDS = 30;
/** Synthetic checks run serially in one Lambda: their worst case plus the overhead must fit its limit. */
export const MAX_SYNTHETIC_CHECK_SECONDS = LAMBDA_MAX_SECONDS - SYNTHETIC_CHECK_OVERHEAD_SECONDS;

/** The synthetic checks' worst case: run serially, each may take its whole request timeout. */
export function syntheticChecksWorstCaseSeconds(c: {
  readonly checks: readonly unknown[];
  readonly repetitions: number;
  readonly requestTimeoutMs: number;
}): number {
  return Math.ceil((c.checks.length * c.repetitions * c.requestTimeoutMs) / 1000);
}

export const waitSettingsSchema = z.strictObject({
  intervalSeconds: z.int().check(z.minimum(5), z.maximum(300)),
  timeoutSeconds: z.int().check(z.minimum(30), z.maximum(86_400)),
});
export type WaitSettings = z.infer<typeof waitSettingsSchema>;

const wait = (intervalSeconds: number, timeoutSeconds: number) =>
  z._default(waitSettingsSchema, { intervalSeconds, timeoutSeconds });

export const syntheticCheckSchema = z.strictObject({
  path: z.string().check(z.startsWith('/', 'must start with "/"')),
  expectedStatus: z._default(z.int().check(z.minimum(100), z.maximum(599)), 200),
  /** The response body must contain this text. */
  bodyIncludes: z.optional(z.string().check(z.minLength(1))),
  maxLatencyMs: z._default(z.int().check(z.minimum(1), z.maximum(60_000)), 2_000),
});
export type SyntheticCheck = z.infer<typeof syntheticCheckSchema>;

/** Lambda VpcConfig limits (https://docs.aws.amazon.com/lambda/latest/dg/API_VpcConfig.html). */
const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 5;

export const syntheticChecksNetworkSchema = z.strictObject({
  subnetIds: z
    .array(
      z
        .string()
        .check(
          z.regex(
            /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/,
            'must be a subnet id like "subnet-0123456789abcdef0"',
          ),
        ),
    )
    .check(
      z.minLength(1, 'needs at least one subnet'),
      z.maxLength(MAX_SUBNETS, `at most ${MAX_SUBNETS} subnets (Lambda's limit)`),
    ),
  securityGroupIds: z
    .array(
      z
        .string()
        .check(
          z.regex(
            /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/,
            'must be a security group id like "sg-0123456789abcdef0"',
          ),
        ),
    )
    .check(
      z.minLength(1, 'needs at least one security group'),
      z.maxLength(MAX_SECURITY_GROUPS, `at most ${MAX_SECURITY_GROUPS} security groups (Lambda's limit)`),
    ),
});
export type SyntheticChecksNetwork = z.infer<typeof syntheticChecksNetworkSchema>;

export const syntheticChecksSchema = z
  .strictObject({
    /** Base URL of the ALB listener, e.g. "http://my-alb-123.us-east-1.elb.amazonaws.com": http or https only. */
    endpoint: z.url({
      protocol: /^https?$/,
      error:
        'must be an http(s) URL of the load balancer, e.g. "http://my-alb.example.com" (http:// or https://)',
    }),
    header: z._default(syntheticHeaderSchema, { name: 'Synthetic', value: 'True' }),
    checks: z.array(syntheticCheckSchema).check(z.minLength(1, 'needs at least one check'), z.maxLength(20)),
    /** How many times each check runs; every run must pass. */
    repetitions: z._default(z.int().check(z.minimum(1), z.maximum(100)), 3),
    /** When set, this response header must carry the new AMI id: proof the check reached the new version. */
    versionHeader: z.optional(z.string().check(z.minLength(1))),
    requestTimeoutMs: z._default(z.int().check(z.minimum(100), z.maximum(30_000)), 5_000),
    /**
     * Subnets and security groups the checks run from, for a load balancer reachable only inside a VPC (an
     * internal ALB). Omitted: the checks run outside any VPC and reach only an internet-facing endpoint.
     */
    network: z.optional(syntheticChecksNetworkSchema),
  })
  .check(
    z.refine((c) => syntheticChecksWorstCaseSeconds(c) <= MAX_SYNTHETIC_CHECK_SECONDS, {
      message: `checks × repetitions × requestTimeoutMs must fit in ${MAX_SYNTHETIC_CHECK_SECONDS} s (one Lambda runs them all): use fewer repetitions or a shorter requestTimeoutMs`,
    }),
  );
export type SyntheticChecks = z.infer<typeof syntheticChecksSchema>;

export const settingsSchema = z
  .strictObject({
    applicationName: applicationNameSchema,
    groups: groupsSchema,
    /** Which group receives the first deployment when neither serves yet. */
    firstDeploymentGroup: z._default(z.enum(['blue', 'green']), 'blue'),
    targetGroups: targetGroupsSchema,
    amiSelector: amiSelectorSchema,
    syntheticChecks: syntheticChecksSchema,
    monitoring: monitoringSchema,
    /** How production traffic moves to the new version: all at once, or in baked shares (./shift.ts). */
    shift: z.prefault(shiftSchema, {}),
    /** Capacity of the new group; when absent it copies the active group's current min/desired/max. */
    capacity: z.optional(deploymentCapacitySchema),
    /** Capacity for the first deployment, when there is no active group to copy and `capacity` is absent. */
    initialCapacity: z._default(deploymentCapacitySchema, { min: 1, desired: 2, max: 4 }),
    /**
     * A request made while another deployment runs waits for it to end, keeping only the newest release
     * waiting (`queue-newest`), or is refused (`reject`): docs/design.md#newest-wins.
     */
    whileDeploying: z._default(whileDeployingSchema, 'queue-newest'),
    /** Deploy what these EC2 Image Builder pipelines build, once each image is AVAILABLE. [none] */
    imageBuilder: z.optional(imageBuilderSchema),
    /** Wait for an operator's approval before the production shift (./approval.ts). [none] */
    approval: z.optional(approvalSchema),
    /** The teams' own Lambda functions, run at documented stages (docs/hooks.md). [none] */
    hooks: z._default(hooksSchema, []),
    /**
     * Minutes the old fleet stays in Standby after the window passed, before the finish retires it: an
     * undo meanwhile puts it back in service without a launch (docs/design.md#keeping-fleets). [0: none]
     */
    keepOldFleetMinutes: z._default(keepMinutesSchema, 0),
    /**
     * Minutes an aborted or rolled-back new fleet stays running, detached from every target group, for
     * debugging, before it is scaled to zero (docs/design.md#keeping-fleets). [0: none]
     */
    keepFailedFleetMinutes: z._default(keepMinutesSchema, 0),
    waits: z.prefault(
      z.strictObject({
        /**
         * An AMI event's AMI without the selector's tag key is looked at again for this long before it is judged
         * another application's: tools such as Packer tag an AMI only once it is available.
         */
        amiTags: wait(30, 300),
        /**
         * A request queued behind a running deployment looks every minute whether it has ended, for longer than
         * a deployment with the default window and waits can take (its waits' deadlines, some 3 hours, and
         * draining retries), then is refused: raise it with a longer window.
         */
        turn: wait(60, 21_600),
        groupEmpty: wait(10, 900),
        instancesInService: wait(15, 1_200),
        syntheticTargetsHealthy: wait(10, 600),
        mainTargetsHealthy: wait(10, 600),
        oldFleetInStandby: wait(10, 900),
        targetGroupsDetached: wait(10, 900),
        rollbackRecovery: wait(10, 900),
      }),
      {},
    ),
    /** SNS topic told about every outcome; set by the construct. */
    notificationTopicArn: z.optional(z.string().check(z.minLength(1))),
    /**
     * Roles of the launch templates' instance profiles that the orchestrator may pass to EC2; set by the
     * construct from its `instanceRoleArns`, so the pre-flight check can refuse a template it could not launch.
     */
    instanceRoleArns: z._default(z.array(z.string().check(z.minLength(1))), []),
  })
  .check(
    z.refine((s) => s.groups.blue !== s.groups.green, {
      message: 'blue and green must be two different Auto Scaling groups',
      path: ['groups'],
    }),
    z.refine((s) => s.targetGroups.main !== s.targetGroups.synthetic, {
      message: 'main and synthetic must be two different target groups',
      path: ['targetGroups'],
    }),
    z.superRefine((s, ctx) => {
      const main = targetGroupLocation(s.targetGroups.main);
      if (main === undefined) return;
      for (const { problem } of targetGroupsOutside(s.targetGroups, {
        region: main.region,
        account: main.account,
        source: `main is in ${main.region}, account ${main.account}`,
        fix: 'use the synthetic target group of the load balancer whose listener forwards to main',
      })) {
        ctx.addIssue({ code: 'custom', path: ['targetGroups', 'synthetic'], message: problem });
      }
    }),
    z.superRefine((s, ctx) => {
      const region = targetGroupLocation(s.targetGroups.main)?.region;
      for (const { field, problem } of hooksElsewhere(s.hooks, region, 'its main target group')) {
        ctx.addIssue({ code: 'custom', path: field.split('.'), message: problem });
      }
    }),
    z.superRefine((s, ctx) => {
      const { total, retries } = historyBudget(s);
      if (total <= MAX_HISTORY_EVENTS) return;
      const fits = maxRollbackWindowMinutes(s);
      ctx.addIssue({
        code: 'custom',
        path: ['waits'],
        message:
          `the waits and the rollback window could need more than ${MAX_HISTORY_EVENTS} execution history ` +
          `events (${total} on the longest path, ${retries} of them for the retry policy's attempts; Step ` +
          `Functions fails an execution at 25,000, with no chance to roll back): raise intervalSeconds or ` +
          `lower timeoutSeconds of the waits, or shorten the window` +
          (s.shift.mode === 'all-at-once' ? '' : ', or take fewer shift steps or shorter bakes (shift)') +
          (fits >= 0 ? ` (with these waits, to at most ${fits} minutes)` : '') +
          (s.keepOldFleetMinutes + s.keepFailedFleetMinutes > 0
            ? `, or keep the fleets for less time (keepOldFleetMinutes, keepFailedFleetMinutes: one check every ${KEEP_CHECK_INTERVAL_SECONDS} s)`
            : ''),
      });
    }),
  );

export type Settings = z.infer<typeof settingsSchema>;
/** Settings as written in a configuration file, before defaults are applied. */
export type SettingsInput = z.input<typeof settingsSchema>;

/** What an execution may override, within the same bounds as the configuration. */
export const overridesSchema = z.strictObject({
  rollbackWindowMinutes: z.optional(z.int().check(z.minimum(0), z.maximum(MAX_ROLLBACK_WINDOW_MINUTES))),
  capacity: z.optional(deploymentCapacitySchema),
  /** Any of the shift's fields (./shift.ts), the others as configured. */
  shift: z.optional(shiftOverrideSchema),
});
export type Overrides = z.infer<typeof overridesSchema>;

export const deploymentRequestSchema = z.strictObject({
  amiId: amiIdSchema,
  trigger: z._default(triggerSchema, 'pipeline'),
  overrides: z.optional(overridesSchema),
});
export type DeploymentRequest = z.infer<typeof deploymentRequestSchema>;

const IMAGE_BUILD_VERSION_ARN =
  /^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:\d{12}:image\/[a-z0-9-_]+\/\d+\.\d+\.\d+\/\d+$/;

/**
 * What the rule on EC2 Image Builder's image events starts an execution with: the image build version ARN
 * (the event's only resource); its AMI is read from the image (lambdas/find-built-ami).
 */
export const imageBuildRequestSchema = z.strictObject({
  imageBuildVersionArn: z
    .string()
    .check(
      z.regex(
        IMAGE_BUILD_VERSION_ARN,
        'must be an image build version ARN like "arn:aws:imagebuilder:us-east-1:123456789012:image/webapp/1.2.0/1"',
      ),
    ),
  trigger: z.literal('image-builder'),
});
export type ImageBuildRequest = z.infer<typeof imageBuildRequestSchema>;

const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;

/**
 * What the rule on the state machine's status changes starts an execution with when a deployment was
 * stopped, timed out or failed outside its clean-up (docs/recovery.md), and `npm run ops -- recover`.
 */
export const recoveryRequestSchema = z.strictObject({
  recoverFrom: z
    .string()
    .check(
      z.regex(
        EXECUTION_ARN,
        'must be an execution ARN like "arn:aws:states:us-east-1:123456789012:execution:webapp-blue-green-deployment:NAME"',
      ),
    ),
  trigger: z.literal('recovery'),
});
export type RecoveryRequest = z.infer<typeof recoveryRequestSchema>;
