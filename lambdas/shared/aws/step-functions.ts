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
 * The executions of the state machine started after `after`, newest first (ListExecutions lists newest
 * first): pages of 100 until one reaches back to `after`, at most `pages` of them.
 */
export async function executionsStartedAfter(
  stateMachineArn: string,
  after: Date,
  pages = 10,
): Promise<ExecutionListItem[]> {
  const later = (execution: ExecutionListItem) => (execution.startDate?.getTime() ?? 0) > after.getTime();
  const found: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < pages; page++) {
    const answer = await callAws('ListExecutions', () =>
      stepFunctions.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100, nextToken })),
    );
    const executions = answer.executions ?? [];
    found.push(...executions.filter(later));
    nextToken = answer.nextToken;
    if (!nextToken || !executions.every(later)) break;
  }
  return found;
}

/**
 * Pages of 100 events read newest first at most to find the state an execution last entered. A Task that
 * retries writes three events an attempt and no state event (docs/aws-facts/step-functions.md#quotas): the
 * longest retry the policy allows (RETRY_POLICY.notReady, 120 attempts, and the transient retrier's) writes
 * about 380, far inside this.
 */
const MAX_HISTORY_PAGES = 20;

/** Where an execution is, from its history. */
export interface Whereabouts {
  /** The state it entered last; undefined when it has entered none yet. */
  state?: string;
  /** The history event that entered it, for `amiOfState`. */
  eventId?: number;
  /** The state could not be found in the pages read: the caller must assume the execution is under way. */
  lost?: boolean;
}

/** The state an execution entered last, from its history newest first without execution data. */
export async function whereIs(executionArn: string): Promise<Whereabouts> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const answer = await historyPage(executionArn, { data: false, maxResults: 100, nextToken });
    for (const event of answer.events ?? []) {
      const name = event.stateEnteredEventDetails?.name;
      if (name !== undefined) return { state: name, eventId: event.id };
      if (event.type === 'ExecutionStarted') return {};
    }
    nextToken = answer.nextToken;
    if (!nextToken) return {};
  }
  return { lost: true };
}

/**
 * The AMI in the input of the state entered as event `id` (whereIs), for an execution whose request names
 * none (an Image Builder request's).
 */
export async function amiOfState(executionArn: string, id: number | undefined): Promise<string | undefined> {
  return amiIdIn((await stateEnteredAt(executionArn, id))?.input);
}

/**
 * The state entered as event `id`, with its input, read newest first with data down to it: by id, since a
 * running execution may have written more events since it was found.
 */
async function stateEnteredAt(executionArn: string, id: number | undefined) {
  let nextToken: string | undefined;
  for (let page = 0; id !== undefined && page < MAX_HISTORY_PAGES; page++) {
    const answer = await historyPage(executionArn, { data: true, maxResults: 100, nextToken });
    for (const event of answer.events ?? []) {
      if (event.id === id) return event.stateEnteredEventDetails;
      if ((event.id ?? 0) < id) return undefined;
    }
    nextToken = answer.nextToken;
    if (!nextToken) return undefined;
  }
  return undefined;
}

/**
 * An execution's status now (ListExecutions may still list as running one that has ended), how it ended,
 * and its request: the input's `amiId` and `trigger`, when it reads as one.
 */
export async function describeExecution(executionArn: string): Promise<{
  name?: string;
  status?: ExecutionStatus;
  error?: string;
  amiId?: string;
  trigger: Trigger;
  /** For a recovery: the execution it recovers. */
  recoverFrom?: string;
  startDate?: Date;
}> {
  const answer = await callAws('DescribeExecution', () =>
    stepFunctions.send(new DescribeExecutionCommand({ executionArn })),
  );
  const described = {
    name: answer.name,
    status: answer.status,
    error: answer.error,
    startDate: answer.startDate,
  };
  try {
    const input = JSON.parse(answer.input ?? 'null') as {
      amiId?: unknown;
      trigger?: unknown;
      recoverFrom?: unknown;
    } | null;
    return {
      ...described,
      amiId: typeof input?.amiId === 'string' ? input.amiId : undefined,
      recoverFrom: typeof input?.recoverFrom === 'string' ? input.recoverFrom : undefined,
      trigger: triggerSchema.safeParse(input?.trigger).data ?? 'pipeline',
    };
  } catch {
    // Not JSON: a pipeline's malformed request.
    return { ...described, trigger: 'pipeline' };
  }
}

/**
 * Every state an execution entered (its whole history, oldest first, without data), and the last one with
 * its input (newest first, with data, down to it).
 */
export async function enteredStates(
  executionArn: string,
): Promise<{ entered: Set<string>; last?: { name: string; input: unknown } }> {
  const { entered, lastId } = await statesEntered(executionArn);
  // The execution has ended: its history no longer grows.
  const last = await stateEnteredAt(executionArn, lastId);
  if (!last) return { entered };
  return { entered, last: { name: last.name ?? '', input: JSON.parse(last.input ?? 'null') as unknown } };
}

/** The names of every state an execution entered, and the history event of the last (its whole history). */
export async function statesEntered(
  executionArn: string,
): Promise<{ entered: Set<string>; lastId?: number }> {
  const entered = new Set<string>();
  let nextToken: string | undefined;
  let lastId: number | undefined;
  do {
    const answer = await historyPage(executionArn, {
      data: false,
      maxResults: 1000,
      nextToken,
      oldestFirst: true,
    });
    for (const event of answer.events ?? []) {
      const name = event.stateEnteredEventDetails?.name;
      if (name === undefined) continue;
      entered.add(name);
      lastId = event.id;
    }
    nextToken = answer.nextToken;
  } while (nextToken);
  return { entered, lastId };
}

/** One page of an execution's history, newest first unless `oldestFirst`. */
function historyPage(
  executionArn: string,
  page: { data: boolean; maxResults: number; nextToken: string | undefined; oldestFirst?: boolean },
) {
  return callAws('GetExecutionHistory', () =>
    stepFunctions.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: !page.oldestFirst,
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
