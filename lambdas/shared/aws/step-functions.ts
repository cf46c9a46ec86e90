import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  type ExecutionListItem,
  type ExecutionStatus,
} from '@aws-sdk/client-sfn';
import { allPages } from '../batch';
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

/**
 * The state an execution entered last, from its history read newest first without execution data
 * (docs/aws-facts/step-functions.md#getexecutionhistory); undefined before it entered any.
 */
export async function lastEnteredState(executionArn: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const answer = await callAws('GetExecutionHistory', () =>
      stepFunctions.send(
        new GetExecutionHistoryCommand({
          executionArn,
          reverseOrder: true,
          includeExecutionData: false,
          maxResults: 50,
          nextToken,
        }),
      ),
    );
    const entered = answer.events?.find((event) => event.stateEnteredEventDetails?.name !== undefined);
    if (entered) return entered.stateEnteredEventDetails?.name;
    nextToken = answer.nextToken;
    if (!nextToken) return undefined;
  }
  return undefined;
}

/**
 * The request an execution was started with (its input's `amiId` and `trigger`, when it reads as one) and its
 * status now: ListExecutions may still list as running one that has ended.
 */
export async function requestOf(
  executionArn: string,
): Promise<{ amiId?: string; trigger: 'pipeline' | 'ami-event'; status: ExecutionStatus | undefined }> {
  const answer = await callAws('DescribeExecution', () =>
    stepFunctions.send(new DescribeExecutionCommand({ executionArn })),
  );
  const status = answer.status;
  try {
    const input = JSON.parse(answer.input ?? 'null') as { amiId?: unknown; trigger?: unknown } | null;
    return {
      amiId: typeof input?.amiId === 'string' ? input.amiId : undefined,
      trigger: input?.trigger === 'ami-event' ? 'ami-event' : 'pipeline',
      status,
    };
  } catch {
    return { trigger: 'pipeline', status };
  }
}
