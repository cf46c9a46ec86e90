import { decideAdmission } from '../shared/admission';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

/**
 * The guard (I5, docs/design.md#the-guard): one deployment at a time. Every running execution applies the
 * same order (lambdas/shared/admission.ts), so of two executions started in the same millisecond exactly one
 * proceeds. Read-only, so any answer changes nothing (I8). ListExecutions is eventually consistent: an
 * execution started a moment ago may not be listed yet; the later one's guard still sees the earlier one.
 */

export interface GuardResult {
  /** Other running executions of this state machine, whatever their phase. */
  runningExecutions: number;
  /**
   * Another execution deploys this AMI, and this one, started by its AMI event, leaves it to that one (a
   * pipeline's request, with its overrides, or the AMI's earlier event): why this one ends as skipped.
   */
  duplicateOf: string | null;
  /** A newer release waits to deploy (`whileDeploying: queue-newest`): why this one ends as skipped. */
  supersededBy: string | null;
  /** A deployment runs (`whileDeploying: queue-newest`): this one waits for it to end, and why. */
  queuedBehind: string | null;
}

async function run(input: Input): Promise<GuardResult> {
  const admission = await decideAdmission(input);
  const reason = 'reason' in admission ? admission.reason : null;
  return {
    runningExecutions: admission.runningExecutions,
    duplicateOf: admission.verdict === 'duplicate' ? reason : null,
    supersededBy: admission.verdict === 'superseded' ? reason : null,
    queuedBehind: admission.verdict === 'queued' ? reason : null,
  };
}

export const handler = defineHandler('guard-single-deployment', InputSchema, run);
