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

/** Pages of the newest events read at most to find the state an execution last entered. */
const MAX_HISTORY_PAGES = 4;
/** Events a page holds: small pages, as each carries its states' input (about 3 KB each). */
const HISTORY_PAGE_EVENTS = 20;

/**
 * The state an execution entered last, and the AMI its state held then, from its history read newest first
 * with execution data (docs/aws-facts/step-functions.md#getexecutionhistory): past the validation, the state
 * names the AMI, which an Image Builder request's input does not. Undefined before it entered any state.
 */
export async function whereIs(executionArn: string): Promise<{ state?: string; amiId?: string }> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const answer = await callAws('GetExecutionHistory', () =>
      stepFunctions.send(
        new GetExecutionHistoryCommand({
          executionArn,
          reverseOrder: true,
          includeExecutionData: true,
          maxResults: HISTORY_PAGE_EVENTS,
          nextToken,
        }),
      ),
    );
    const entered = answer.events?.find((event) => event.stateEnteredEventDetails?.name !== undefined);
    if (entered) {
      const details = entered.stateEnteredEventDetails;
      return { state: details?.name, amiId: amiIdIn(details?.input) };
    }
    nextToken = answer.nextToken;
    if (!nextToken) return {};
  }
  return {};
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
