/** Group tag through which an operator promotes early or rolls back during the window (cli/ sets it). */
export const OPERATOR_REQUEST_TAG = 'blue-green:operator-request';
/**
 * What an operator may ask of a running deployment, by tagging the group that receives the new version:
 * `rollback` stops it at any phase (docs/operations.md), `approve` lets it past the approval gate, `promote`
 * ends its rollback window early.
 */
export const OPERATOR_REQUESTS = ['promote', 'rollback', 'approve'] as const;
export type OperatorRequest = (typeof OPERATOR_REQUESTS)[number];

/**
 * Group tag listing the processes a deployment suspended on the old fleet (comma-separated), so that only
 * those are resumed: a process the team suspended on purpose is left as found (docs/design.md#suspended-processes).
 */
export const SUSPENDED_BY_DEPLOYMENT_TAG = 'blue-green:suspended-processes';
