import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { amiOfState, whereIs } from '../../lambdas/shared/aws/step-functions';

/**
 * Reading where another execution is while it runs (lambdas/shared/admission.ts): its history grows
 * between two reads, so an event is found again by its id, never by its position from the newest.
 */
const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:webapp-blue-green-deployment:other';
const entered = (id: number, name: string, amiId: string): HistoryEvent => ({
  id,
  timestamp: new Date(0),
  type: 'TaskStateEntered',
  stateEnteredEventDetails: { name, input: JSON.stringify({ amiId }) },
});
const other = (id: number, type: HistoryEvent['type']): HistoryEvent => ({
  id,
  timestamp: new Date(0),
  type,
});

/** Answers GetExecutionHistory (newest first) from `history()`, read afresh on every call. */
function serve(history: () => HistoryEvent[]): void {
  sfn.on(GetExecutionHistoryCommand).callsFake((input: { maxResults?: number; nextToken?: string }) => {
    const events = [...history()].reverse();
    const from = Number(input.nextToken ?? 0);
    const to = from + (input.maxResults ?? 100);
    return { events: events.slice(from, to), nextToken: to < events.length ? String(to) : undefined };
  });
}

describe('whereIs and amiOfState', () => {
  it('read the AMI of the state found, even when the execution wrote more events in between', async () => {
    const history: HistoryEvent[] = [
      other(1, 'ExecutionStarted'),
      entered(2, 'Let simultaneous starts become visible', 'ami-0aaaaaaaaaaaaaaa1'),
    ];
    serve(() => history);
    const where = await whereIs(ARN);
    expect(where).toEqual({ state: 'Let simultaneous starts become visible', eventId: 2 });
    // The Wait ends and the next Task starts before the second read.
    history.push(
      other(3, 'WaitStateExited'),
      entered(4, 'Make sure no other deployment started meanwhile', 'ami-0bbbbbbbbbbbbbbb2'),
      other(5, 'TaskScheduled'),
    );
    await expect(amiOfState(ARN, where.eventId)).resolves.toBe('ami-0aaaaaaaaaaaaaaa1');
  });

  it('find the state under hundreds of retry events, and count a state further back than 2,000 as lost', async () => {
    const history: HistoryEvent[] = [
      other(1, 'ExecutionStarted'),
      entered(2, 'Put old fleet in standby', 'ami-0aaaaaaaaaaaaaaa1'),
    ];
    for (let id = 3; id < 3 + 380; id++)
      history.push(other(id, id % 3 === 0 ? 'TaskFailed' : 'TaskScheduled'));
    serve(() => history);
    await expect(whereIs(ARN)).resolves.toEqual({ state: 'Put old fleet in standby', eventId: 2 });
    for (let id = 383; id < 2_400; id++) history.push(other(id, 'TaskStarted'));
    await expect(whereIs(ARN)).resolves.toEqual({ lost: true });
  });

  it('an execution that has entered no state yet is nowhere (still checking)', async () => {
    serve(() => [other(1, 'ExecutionStarted')]);
    await expect(whereIs(ARN)).resolves.toEqual({});
  });
});
