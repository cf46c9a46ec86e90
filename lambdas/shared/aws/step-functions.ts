import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  type ExecutionListItem,
  type ExecutionStatus,
} from '@aws-sdk/client-sfn';
import { allPages } from '../batch';
import { triggerSchema, type Trigger } from '../settings/release';
import { callAws, CLIENT_CONFIG } from './call';

export const stepFunctions = new SFNClient(CLIENT_CONFIG);

/**
 * Every RUNNING execution of the state machine (ListExecutions is eventually consistent:
 * docs/aws-facts/step-functions.md#listexecutions).
 */
export async function runningExecutions(stateMachineArn: string): Promise<ExecutionListItem[]> {
  return allPages(async (nextToken) => {
    const page = await callAws('ListExecutions', () =>
      stepFunctions.send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken }),
      ),
    );
    return { items: page.executions, next: page.nextToken };
  });
}

/**
 * Pages of 100 events read newest first at most to find the state an execution last entered. A Task that
 * retries writes three events an attempt and no state event (docs/aws-facts/step-functions.md#getexecutionhistory):
 * the longest retry the policy allows (RETRY_POLICY.notReady, 120 attempts) writes 360, far inside this.
 */
const MAX_HISTORY_PAGES = 20;

/** Where an execution is, from its history. */
export interface Whereabouts {
  /** The state it entered last; undefined when it has entered none yet. */
  state?: string;
  /** The state could not be found in the pages read: the caller must assume the execution is under way. */
  lost?: boolean;
  /** The AMI its state held then (read only when asked: an Image Builder request's input names none). */
  amiId?: string;
}

/**
 * The state an execution entered last, newest first without execution data; then, when `withAmi`, that
 * state's input (with data, from the newest event down to it) for the AMI it carries.
 */
export async function whereIs(executionArn: string, withAmi = false): Promise<Whereabouts> {
  let nextToken: string | undefined;
  let seen = 0;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const answer = await historyPage(executionArn, { data: false, maxResults: 100, nextToken });
    for (const event of answer.events ?? []) {
      seen++;
      const name = event.stateEnteredEventDetails?.name;
      if (name !== undefined) {
        return { state: name, ...(withAmi && { amiId: await amiEntering(executionArn, seen) }) };
      }
      if (event.type === 'ExecutionStarted') return {};
    }
    nextToken = answer.nextToken;
    if (!nextToken) return {};
  }
  return { lost: true };
}

/** The AMI in the input of the state entered `position` events from the newest (1: the newest). */
async function amiEntering(executionArn: string, position: number): Promise<string | undefined> {
  let nextToken: string | undefined;
  let seen = 0;
  while (seen < position) {
    const answer = await historyPage(executionArn, { data: true, maxResults: 20, nextToken });
    for (const event of answer.events ?? []) {
      if (++seen === position) return amiIdIn(event.stateEnteredEventDetails?.input);
    }
    nextToken = answer.nextToken;
    if (!nextToken) return undefined;
  }
  return undefined;
}

function historyPage(
  executionArn: string,
  page: { data: boolean; maxResults: number; nextToken: string | undefined },
) {
  return callAws('GetExecutionHistory', () =>
    stepFunctions.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        includeExecutionData: page.data,
        maxResults: page.maxResults,
        nextToken: page.nextToken,
      }),
    ),
  );
}

function amiIdIn(input: string | undefined): string | undefined {
  try {
    const state = JSON.parse(input ?? 'null') as { amiId?: unknown } | null;
    return typeof state?.amiId === 'string' ? state.amiId : undefined;
  } catch {
    // Truncated (over 256 KiB) or not JSON: the request's AMI stands.
    return undefined;
  }
}

/**
 * The request an execution was started with (its input's `amiId` and `trigger`, when it reads as one) and its
 * status now: ListExecutions may still list as running one that has ended.
 */
export async function requestOf(
  executionArn: string,
): Promise<{ amiId?: string; trigger: Trigger; status: ExecutionStatus | undefined }> {
  const answer = await callAws('DescribeExecution', () =>
    stepFunctions.send(new DescribeExecutionCommand({ executionArn })),
  );
  const status = answer.status;
  try {
    const input = JSON.parse(answer.input ?? 'null') as { amiId?: unknown; trigger?: unknown } | null;
    return {
      amiId: typeof input?.amiId === 'string' ? input.amiId : undefined,
      trigger: triggerSchema.safeParse(input?.trigger).data ?? 'pipeline',
      status,
    };
  } catch {
    return { trigger: 'pipeline', status };
  }
}
