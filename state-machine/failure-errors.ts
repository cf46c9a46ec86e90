/**
 * Outcomes as the execution reports them: the Fail state's error, or `outcome` in a successful output.
 * Apart from the definition (which imports aws-cdk-lib) so that the simulator can read outcomes without
 * loading the CDK.
 */
export const FAILURE_ERRORS = {
  rejected: 'DeploymentRejected',
  aborted: 'DeploymentAborted',
  rolledBack: 'DeploymentRolledBack',
  manualAction: 'ManualActionNeeded',
  /** A first deployment failed its window: with nothing earlier to return to, it was left serving. */
  keptServing: 'FirstVersionKeptServing',
} as const;
