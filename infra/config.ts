import * as fs from 'node:fs';
import * as z from 'zod/mini';
import { settingsSchema } from '../lambdas/shared/settings';
import { ConfigurationError, problemsOf, type ConfigurationProblem } from './configuration-error';
import type { ConfiguredProps } from './props';

export { ConfigurationError, type ConfigurationProblem } from './configuration-error';

/**
 * The configuration file: which environment the orchestrator deploys to, and the deployment settings.
 * `deployment` holds the settings the Lambdas use (lambdas/shared/settings/index.ts, validated with that schema)
 * and the fields only the construct reads (below). docs/configuration.md's table lists exactly these
 * fields; test/infra/configuration-table.test.ts compares the two.
 */

/** Fields of `deployment` that only the construct reads (permissions, trigger, topic). */
const constructFields = {
  launchTemplateIds: z.optional(
    z.array(z.string().check(z.regex(/^lt-[0-9a-f]+$/, 'must be a launch template id "lt-…"'))),
  ),
  instanceRoleArns: z.optional(
    z.array(z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'))),
  ),
  deployOnNewAmi: z.optional(z.boolean()),
  recoverStoppedDeployments: z.optional(z.boolean()),
  notificationTopic: z.optional(
    z.strictObject({
      topicArn: z
        .string()
        .check(z.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN')),
      kmsKeyArn: z.optional(
        z
          .string()
          .check(
            z.regex(
              /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/,
              'must be a KMS key ARN (not an alias)',
            ),
          ),
      ),
    }),
  ),
};

/** Settings the construct fills in itself: a file that sets them is refused (it names the topic with `notificationTopic`). */
const SET_BY_THE_CONSTRUCT = new Set(['notificationTopicArn']);
const settingsFields = Object.fromEntries(
  Object.entries(settingsSchema.shape).filter(([key]) => !SET_BY_THE_CONSTRUCT.has(key)),
) as Record<string, z.ZodMiniType>;

const outline = (deployment: z.ZodMiniType) =>
  z.strictObject({
    /** The JSON Schema of this file (config/schema.json), for editors; not read otherwise. */
    $schema: z.optional(z.string()),
    /**
     * "existing": the groups, target groups, endpoint and alarms are given below. "reference": deploy the
     * reference environment (infra/environment) too and take them from it.
     */
    environment: z._default(z.enum(['existing', 'reference']), 'existing'),
    /** Names the CloudFormation stack of the orchestrator. */
    stackName: z.optional(
      z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name')),
    ),
    deployment,
  });

/**
 * Every field a configuration file may hold, each with its schema: what docs/configuration.md's table documents. The
 * file is checked against it in two passes (see parseConfig), as the reference environment fills in some
 * settings only once its stack exists.
 */
export const configurationFileSchema = outline(z.strictObject({ ...settingsFields, ...constructFields }));

/** The first pass: field names and the construct's own fields; the settings' values wait for the second. */
const outlineSchema = outline(
  z.strictObject({
    ...Object.fromEntries(Object.keys(settingsFields).map((key) => [key, z.optional(z.unknown())])),
    ...constructFields,
  }),
);

/** What the existing environment must describe; the reference environment provides these itself. */
const REQUIRED_FOR_EXISTING = [
  'applicationName',
  'groups',
  'targetGroups',
  'amiSelector',
  'syntheticChecks',
  'monitoring',
] as const;

export type ConfigFile = Omit<z.infer<typeof outlineSchema>, 'deployment'> & {
  deployment: Partial<ConfiguredProps>;
};

/**
 * Checks a configuration read from `source`: its outline (no unknown field at any level, a misspelling
 * named with the field it most likely meant), and for an existing environment every setting, with the same
 * schema the Lambdas use. Throws a ConfigurationError: one `source: field: problem` line per problem.
 */
export function parseConfig(raw: unknown, source: string): ConfigFile {
  const parsed = outlineSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(problemsOf(parsed.error, configurationFileSchema), { file: source });
  }
  const config = parsed.data as ConfigFile;
  if (config.environment === 'existing') {
    const problems = existingEnvironmentProblems(config.deployment);
    if (problems.length > 0) throw new ConfigurationError(problems, { file: source });
  }
  return config;
}

export function loadConfig(file: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(
      [{ field: '', problem: `cannot read the configuration file: ${(error as Error).message}` }],
      { file },
    );
  }
  return parseConfig(raw, file);
}

/** The settings of an existing environment, checked whole: what is missing, then every value. */
function existingEnvironmentProblems(deployment: Partial<ConfiguredProps>): ConfigurationProblem[] {
  const missing = missingForExisting(deployment);
  if (missing.length > 0) return [{ field: 'deployment', problem: missingDescription(missing) }];
  const settings = Object.fromEntries(Object.entries(deployment).filter(([key]) => key in settingsFields));
  const parsed = settingsSchema.safeParse(settings);
  return parsed.success ? [] : problemsOf(parsed.error, settingsSchema, 'deployment');
}

/** The fields an existing environment must describe that `deployment` lacks. */
export function missingForExisting(deployment: Partial<ConfiguredProps>): string[] {
  return REQUIRED_FOR_EXISTING.filter((key) => deployment[key] === undefined);
}

export function missingDescription(
  missing: readonly string[],
  environment: ConfigFile['environment'] = 'existing',
): string {
  return environment === 'existing'
    ? `missing ${missing.join(', ')} (required when "environment" is "existing"; see config/example.json)`
    : `missing ${missing.join(', ')} (the reference environment provides the groups, target groups, endpoint and alarms, not these; see config/reference.json)`;
}

/**
 * The construct's props from a configuration file, for a CDK app of one's own:
 * `new BlueGreenDeployment(stack, 'Deployment', loadDeploymentProps('blue-green.json'))`. Only an existing
 * environment: the reference environment is deployed by this repository's app. The file's `stackName` is
 * for that app too; your app names its own stacks.
 */
export function loadDeploymentProps(file: string): ConfiguredProps {
  const config = loadConfig(file);
  if (config.environment !== 'existing') {
    throw new ConfigurationError(
      [
        {
          field: 'environment',
          problem:
            'must be "existing" for the construct in an app of your own (the reference environment is deployed by this repository\'s app)',
        },
      ],
      { file },
    );
  }
  return config.deployment as ConfiguredProps;
}
