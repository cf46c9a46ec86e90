import * as fs from 'node:fs';
import * as z from 'zod';
import { describeIssues } from '../lambdas/shared/contract';
import type { BlueGreenDeploymentProps } from './blue-green-deployment';

/**
 * The configuration file: which environment the orchestrator deploys to, and the deployment settings.
 * This schema checks the file's shape and the construct-only fields; the deployment settings themselves
 * are validated by the construct with the same schema the Lambdas use.
 */
const configFileSchema = z
  .object({
    /**
     * "existing": the groups, target groups, endpoint and alarms are given below. "reference": deploy the
     * reference environment (infra/environment) too and take them from it.
     */
    environment: z.enum(['existing', 'reference']).default('existing'),
    /** Names the CloudFormation stack of the orchestrator. */
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name')
      .optional(),
    deployment: z
      .object({
        launchTemplateIds: z
          .array(z.string().regex(/^lt-[0-9a-f]+$/, 'must be a launch template id "lt-…"'))
          .optional(),
        instanceRoleArns: z
          .array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'))
          .optional(),
        deployOnNewAmi: z.boolean().optional(),
        notificationTopic: z
          .object({
            topicArn: z
              .string()
              .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN'),
            kmsKeyArn: z
              .string()
              .regex(
                /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/,
                'must be a KMS key ARN (not an alias)',
              )
              .optional(),
          })
          .strict()
          .optional(),
      })
      .catchall(z.unknown()),
  })
  .strict();

export type ConfigFile = Omit<z.infer<typeof configFileSchema>, 'deployment'> & {
  deployment: Partial<BlueGreenDeploymentProps>;
};

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export function parseConfig(raw: unknown, source: string): ConfigFile {
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(`${source}: ${describeIssues(parsed.error, 'configuration')}`);
  }
  return parsed.data as ConfigFile;
}

export function loadConfig(file: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(`${file}: cannot read the configuration file: ${(error as Error).message}`);
  }
  return parseConfig(raw, file);
}
