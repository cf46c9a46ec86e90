import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { LISTING_LAG_MS } from '../../../simulator/account/step-functions';
import { createHarness, rejection, STATE_MACHINE_ARN, type Harness } from '../../support/account';

const sfn = new SFNClient({ region: 'us-east-1' });
let h: Harness;
beforeEach(() => {
  h = createHarness({ now: Date.parse('2026-01-01T00:00:00.000Z') });
});
afterEach(() => h.dispose());

const start = (name: string, input = '{}') =>
  sfn.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name, input }));

describe("the simulated account's Step Functions API (docs/aws-facts/step-functions.md)", () => {
  it('StartExecution with a running name and the same input returns the original; another input is refused', async () => {
    const first = await start('release-1', '{"amiId":"ami-1"}');
    await expect(start('release-1', '{"amiId":"ami-1"}')).resolves.toMatchObject({
      executionArn: first.executionArn,
    });
    expect((await rejection(start('release-1', '{"amiId":"ami-2"}'))).name).toBe('ExecutionAlreadyExists');
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    // Closed: the name is taken whatever the input.
    expect((await rejection(start('release-1', '{"amiId":"ami-1"}'))).name).toBe('ExecutionAlreadyExists');
  });

  it('refuses input that is not JSON, and names an unknown state machine or execution', async () => {
    expect((await rejection(start('bad', '{amiId'))).name).toBe('InvalidExecutionInput');
    const unknownMachine = sfn.send(
      new ListExecutionsCommand({ stateMachineArn: `${STATE_MACHINE_ARN}-other` }),
    );
    expect((await rejection(unknownMachine)).name).toBe('StateMachineDoesNotExist');
    const unknownExecution = sfn.send(
      new DescribeExecutionCommand({ executionArn: `${STATE_MACHINE_ARN}:x` }),
    );
    expect((await rejection(unknownExecution)).name).toBe('ExecutionDoesNotExist');
    expect(h.stepFunctions.executions).toHaveLength(0);
  });

  it('ListExecutions: newest first, 100 a page by default and 1,000 at most, after the listing lag', async () => {
    for (let i = 0; i < 1_200; i++) {
      await start(`run-${i}`);
      h.clock.tick(1_000);
    }
    const list = (input: { maxResults?: number; nextToken?: string } = {}) =>
      sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, ...input }));

    const firstPage = await list();
    // The newest executions, started within the lag, are not listed yet.
    const hidden = LISTING_LAG_MS / 1_000 - 1;
    expect(firstPage.executions).toHaveLength(100);
    expect(firstPage.executions?.[0].name).toBe(`run-${1_199 - hidden}`);
    // maxResults ranges from 0 to 1,000 (the PageSize shape of the API reference): more is refused.
    expect((await rejection(list({ maxResults: 5_000 }))).name).toBe('ValidationException');
    const big = await list({ maxResults: 1_000 });
    expect(big.executions).toHaveLength(1_000);
    const rest = await list({ maxResults: 1_000, nextToken: big.nextToken });
    expect(rest.executions).toHaveLength(1_200 - hidden - 1_000);
    expect(rest.nextToken).toBeUndefined();
    expect(rest.executions?.at(-1)?.name).toBe('run-0');
  });

  it('GetExecutionHistory: oldest first or reversed, paged, with or without execution data', async () => {
    await start('release-1');
    const [execution] = h.stepFunctions.executions;
    const events: HistoryEvent[] = Array.from({ length: 150 }, (_, i) => ({
      id: i + 1,
      timestamp: new Date(),
      type: 'TaskStateExited',
      stateExitedEventDetails: { name: `state-${i + 1}`, output: '{"step":1}' },
    }));
    execution.history.push(...events);
    const history = (input: { reverseOrder?: boolean; includeExecutionData?: boolean; nextToken?: string }) =>
      sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.arn, ...input }));

    const oldest = await history({});
    expect(oldest.events?.map((event) => event.id)).toEqual(events.slice(0, 100).map((event) => event.id));
    const next = await history({ nextToken: oldest.nextToken });
    expect(next.events?.map((event) => event.id)).toEqual(events.slice(100).map((event) => event.id));
    expect(next.nextToken).toBeUndefined();

    const newest = await history({ reverseOrder: true, includeExecutionData: false });
    expect(newest.events?.[0]).toMatchObject({ id: 150, stateExitedEventDetails: { name: 'state-150' } });
    expect(newest.events?.[0].stateExitedEventDetails?.output).toBeUndefined();
    // The record itself keeps its data.
    expect(execution.history[149].stateExitedEventDetails?.output).toBe('{"step":1}');
  });

  it('its calls suffer the faults asked of the account, as every other service does', async () => {
    h.account.setFaults({
      failAttempt: (operation) => operation === 'states:StartExecution' && 'throttling',
    });
    expect((await rejection(start('release-1'))).name).toBe('ThrottlingException');
    expect(h.stepFunctions.executions).toHaveLength(0);
  });
});
