import * as z from 'zod/mini';
import { ConfigurationError, loadConfig } from '../../infra/config';
import { referenceEnvironment } from '../../infra/environment/settings';
import { applicationNameSchema, describeIssues } from '../../lambdas/shared/contract';
import { groupNameSchema, targetGroupArnSchema, targetGroupsOutside } from '../../lambdas/shared/settings';
import { UsageError } from './io';

/** What the commands need from a configuration file: names, never the deployment settings themselves. */
export interface DeploymentNames {
  applicationName: string;
  groups: { blue: string; green: string };
  /** Target group ARNs, or names when only the name is known before deployment (reference environment). */
  targetGroups: { main: string; synthetic: string };
  /** Whether the deployment waits for approval before the shift (`approval`): what `approve` answers. */
  approvalGate: boolean;
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
  const approvalGate = deployment.approval !== undefined;
  if (config.environment === 'reference') {
    const app = referenceEnvironment.applicationName;
    return {
      approvalGate,
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
  return { ...parsed.data.deployment, approvalGate };
}

/**
 * Refuses a configuration whose target groups are not in the Region and account the command line names
 * (`--region`, `--account-id` with `--config`): the state machine found there does not deploy them.
 */
export function checkTargetGroupsWhere(
  file: string,
  names: DeploymentNames,
  where: { region?: string; account?: string },
): void {
  const given = [
    where.region !== undefined ? `--region ${where.region}` : undefined,
    where.account !== undefined ? `--account-id ${where.account}` : undefined,
  ].filter((option): option is string => option !== undefined);
  const [problem] = targetGroupsOutside(names.targetGroups, {
    ...where,
    source: `as ${given.join(' and ')} say${given.length === 1 ? 's' : ''}`,
    fix: `give the ${given.map((option) => option.split(' ')[0]).join(' and ')} of the orchestrator's stack, or the configuration file it was deployed with`,
  });
  if (problem) throw new UsageError(`--config ${file}: deployment.${problem.field}: ${problem.problem}`);
}
