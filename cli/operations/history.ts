import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';

/**
 * Every wait is four states (state-machine/polling.ts): `<wait>`, `<wait>: check`, `<wait>: done?`,
 * `<wait>: pause`. An operator follows the step, not the loop: the three inner states count as the wait.
 */
const WAIT_LOOP = /: (check|done\?|pause)$/;
/** The Succeed state that ends each phase's branch (state-machine/error-routing.ts): not a step. */
const PHASE_END = /: complete$/;
/**
 * Events per page, newest first. With the states' data (status): enough for a few rounds of a wait (about
 * 13 events each on AWS) and still small. Without (watch): one page per poll, a few pages to catch up.
 */
const PAGE_WITH_DATA = 25;
const PAGE_WITHOUT_DATA = 100;

/** The step a state belongs to, or undefined for a state that is no step of its own. */
export function stepOf(stateName: string): string | undefined {
  if (PHASE_END.test(stateName)) return undefined;
  return stateName.replace(WAIT_LOOP, '');
}

export function enteredState(event: HistoryEvent): string | undefined {
  return event.stateEnteredEventDetails?.name;
}

/** Newest first. Sorting by id makes this independent of whether the service honoured reverseOrder. */
async function* newestFirst(
  client: SFNClient,
  executionArn: string,
  includeExecutionData: boolean,
): AsyncGenerator<HistoryEvent> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: includeExecutionData ? PAGE_WITH_DATA : PAGE_WITHOUT_DATA,
        includeExecutionData,
        nextToken,
      }),
    );
    yield* [...(page.events ?? [])].sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
    nextToken = page.nextToken;
  } while (nextToken);
}

/**
 * Events after `afterId`, oldest first. Reads from the newest backwards and stops at the first event seen
 * before, so each poll of a long execution (a window of hours is thousands of events) costs one page.
 */
export async function eventsAfter(
  client: SFNClient,
  executionArn: string,
  afterId: number,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const event of newestFirst(client, executionArn, false)) {
    if ((event.id ?? 0) <= afterId) break;
    events.push(event);
  }
  return events.reverse();
}

export interface CurrentState {
  /** The state last entered, as Step Functions names it. */
  state?: string;
  /** What the wait's last check said, e.g. "12 of 60 minutes: 3 alarms OK, 3 of 3 targets healthy". */
  detail?: string;
  /** The rollback window's check says how long it has left (lambdas/monitor-new-version). */
  remainingSeconds?: number;
}

/** The last state entered and, when it is a wait, the detail its latest check reported. */
export async function currentState(client: SFNClient, executionArn: string): Promise<CurrentState> {
  let state: string | undefined;
  let scanned = 0;
  for await (const event of newestFirst(client, executionArn, true)) {
    scanned++;
    state ??= enteredState(event);
    const exited = event.stateExitedEventDetails;
    if (state !== undefined && exited?.name === `${stepOf(state)}: check`) {
      return { state, ...checkDetail(exited.output) };
    }
    // Past the first page the wait's latest check, if any, is stale: say what the state is and stop.
    if (state !== undefined && scanned >= PAGE_WITH_DATA) break;
  }
  return { state };
}

/** A wait's check writes `{…, wait: {done, detail, …}}` (lambdas/shared/wait.ts); anything else has none. */
function checkDetail(output: string | undefined): Omit<CurrentState, 'state'> {
  if (!output) return {};
  try {
    const wait = (JSON.parse(output) as { wait?: { detail?: unknown; remainingSeconds?: unknown } }).wait;
    return {
      detail: typeof wait?.detail === 'string' ? wait.detail : undefined,
      remainingSeconds: typeof wait?.remainingSeconds === 'number' ? wait.remainingSeconds : undefined,
    };
  } catch {
    return {};
  }
}
