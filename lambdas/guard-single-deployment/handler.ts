import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import { lastEnteredState, runningExecutions } from '../shared/aws/step-functions';
import { admissionPhaseOf } from '../shared/contract/states';
import { DeploymentInProgressError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import type { ExecutionRef } from '../shared/types';
import { InputSchema, type Input } from './input';

/**
 * The guard (I5, docs/design.md#the-guard): one deployment at a time. Every running execution applies the
 * same total order (start time, then execution ARN), so of two executions started in the same millisecond
 * exactly one proceeds, and each refuses only when someone else goes first. Read-only, so a refusal changes
 * nothing (I8). ListExecutions is eventually consistent: an execution started a moment ago may not be listed
 * yet; the later one's guard still sees the earlier one, which is the one that must win.
 */

export interface GuardResult {
  /** Other running executions of this state machine; all of them started after this one. */
  runningExecutions: number;
}

async function run({ execution }: Input): Promise<GuardResult> {
  const ownStart = Date.parse(execution.startTime);
  const others = (await runningExecutions(execution.stateMachineArn)).filter(
    (other) => other.executionArn !== execution.id,
  );
  const ahead: ExecutionListItem[] = [];
  for (const other of others) {
    // One still checking its AMI (its tags may take minutes, and it may be another application's) or
    // ending without a change holds nothing back; one deploying always does, whenever it started; of two
    // being admitted, the one that started first goes on.
    const phase = admissionPhaseOf(await lastEnteredState(other.executionArn ?? ''));
    if (phase === 'deploying' || (phase === 'guarding' && goesFirst(other, ownStart, execution))) {
      ahead.push(other);
    }
  }
  ahead.sort((a, b) => startOf(a) - startOf(b) || compareArns(a.executionArn, b.executionArn));
  const first = ahead[0];
  if (first) {
    const started = first.startDate ? new Date(startOf(first)).toISOString() : 'an unknown time';
    const more = ahead.length > 1 ? ` (and ${ahead.length - 1} more queued before this one)` : '';
    throw new DeploymentInProgressError(
      `Another deployment is running: execution ${first.name ?? first.executionArn} (${first.executionArn}) ` +
        `started at ${started}${more}. Only one deployment runs at a time. Wait for it to finish and start ` +
        `this deployment again, or stop it first: aws stepfunctions stop-execution --execution-arn ` +
        `${first.executionArn}`,
    );
  }
  return { runningExecutions: others.length };
}

function startOf(item: ExecutionListItem): number {
  return item.startDate ? new Date(item.startDate).getTime() : Number.NEGATIVE_INFINITY;
}

/** Code-unit order, not locale order: every Lambda container must sort the same way. */
function compareArns(a: string | undefined, b: string | undefined): number {
  const left = a ?? '';
  const right = b ?? '';
  return left < right ? -1 : left > right ? 1 : 0;
}

function goesFirst(other: ExecutionListItem, ownStart: number, self: ExecutionRef): boolean {
  const otherStart = startOf(other);
  if (otherStart !== ownStart) return otherStart < ownStart;
  return compareArns(other.executionArn, self.id) < 0;
}

export const handler = defineHandler('guard-single-deployment', InputSchema, run);
