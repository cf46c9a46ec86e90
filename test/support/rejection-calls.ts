/** The calls of a deployment rejected before reading the account: it announces its outcome, once. */
export const ANNOUNCED_ONCE = { 'sns:Publish': 1, 'events:PutEvents': 1 } as const;

/**
 * The calls of the recovery a failed deployment's status change starts (docs/recovery.md) when its own
 * clean-up was done: plan-recovery reads the failed execution, and the recovery ends before the guard.
 */
export const RECOVERY_FOUND_NOTHING = { 'states:DescribeExecution': 1 } as const;
