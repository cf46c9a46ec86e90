import * as z from 'zod';
import { ConfigurationError, loadConfig } from '../../infra/config';
import { referenceEnvironment } from '../../infra/environment/settings';
import { applicationNameSchema, describeIssues } from '../../lambdas/shared/contract';
import { groupNameSchema, targetGroupArnSchema } from '../../lambdas/shared/settings';
import { UsageError } from './io';

/** What the commands need from a configuration file: names, never the deployment settings themselves. */
export interface DeploymentNames {
  applicationName: string;
  groups: { blue: string; green: string };
  /** Target group ARNs, or names when only the name is known before deployment (reference environment). */
  targetGroups: { main: string; synthetic: string };
}

// The file's loader checks only its outline; these fields are checked here with the Lambdas' own schemas.
const namesSchema = z.object({
  deployment: z.object({
    applicationName: applicationNameSchema,
    groups: z.object({ blue: groupNameSchema, green: groupNameSchema }),
    targetGroups: z.object({ main: targetGroupArnSchema, synthetic: targetGroupArnSchema }),
  }),
});

/**
 * Reads the same file `cdk deploy -c config=FILE` reads. With `"environment": "reference"` the names are
 * the reference environment's (as infra/app-builder.ts makes them); its target group ARNs are made at
 * deploy time, so there the target groups are known by name.
 */
export function readDeploymentNames(file: string): DeploymentNames {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(`--config ${error.message}`);
    throw error;
  }
  const { deployment } = config;
  if (config.environment === 'reference') {
    const app = referenceEnvironment.applicationName;
    return {
      applicationName: deployment.applicationName ?? app,
      groups: deployment.groups ?? { blue: `${app}-blue`, green: `${app}-green` },
      targetGroups: deployment.targetGroups ?? { main: `${app}-main`, synthetic: `${app}-synthetic` },
    };
  }
  const parsed = namesSchema.safeParse({ deployment });
  if (!parsed.success) {
    throw new UsageError(
      `--config ${file}: ${describeIssues(parsed.error, 'deployment')} (with "environment": "existing" the file names the groups and target groups; see config/example.json)`,
    );
  }
  return parsed.data.deployment;
}
