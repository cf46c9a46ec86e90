import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * One Lambda per step; each name is a folder `lambdas/<name>/handler.ts`. The construct bundles one
 * function per entry and the local engine runs the same handlers in-process.
 */
export const STEP_HANDLERS = [
  'validate-request',
  'guard-single-deployment',
  'resolve-roles',
  'preflight-checks',
  'scale-group-to-zero',
  'check-group-empty',
  'launch-new-version',
  'check-instances-in-service',
  'attach-target-groups',
  'detach-target-groups',
  'check-target-groups-detached',
  'check-targets-healthy',
  'run-synthetic-checks',
  'enter-standby',
  'check-instances-in-standby',
  'monitor-new-version',
  'retire-old-fleet',
  'restore-old-fleet',
  'report-outcome',
] as const;

export type StepHandler = (typeof STEP_HANDLERS)[number];

export type StepFunctions = Readonly<Record<StepHandler, lambda.IFunction>>;
