/**
 * Step Functions operations against their API reference pages (docs/aws-facts/
 * step-functions.md#operations-audited-against-their-api-reference).
 */
import {
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { createHarness, rejection, STATE_MACHINE_ARN, type Harness } from './harness';

const sfn = new SFNClient({ region: 'us-east-1' });
let h: Harness;
beforeEach(() => {
  h = createHarness({ now: Date.parse('2026-01-01T00:00:00.000Z') });
});
afterEach(() => h.dispose());

const start = (name: string) =>
  sfn.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name, input: '{}' }));

describe('Step Functions, as its API reference pages say', () => {
  it.each(['', 'a'.repeat(81), 'release 1', 'release/1', 'release:1', 'a{b}', 'what?', 'tab\there'])(
    'StartExecution refuses the name %j with InvalidName, and starts nothing',
    async (name) => {
      expect((await rejection(start(name))).name).toBe('InvalidName');
      expect(h.stepFunctions.executions).toHaveLength(0);
    },
  );

  it('StartExecution takes a name of 80 allowed characters', async () => {
    await expect(start(`r-${'a'.repeat(76)}_1`)).resolves.toMatchObject({ executionArn: expect.any(String) });
  });

  it('ListExecutions and GetExecutionHistory refuse maxResults above 1,000 and a token they did not hand out', async () => {
    const { executionArn } = await start('release-1');
    const list = (input: { maxResults?: number; nextToken?: string }) =>
      sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, ...input }));
    const history = (input: { maxResults?: number; nextToken?: string }) =>
      sfn.send(new GetExecutionHistoryCommand({ executionArn, ...input }));

    expect((await rejection(list({ maxResults: 1001 }))).name).toBe('ValidationException');
    expect((await rejection(history({ maxResults: 1001 }))).name).toBe('ValidationException');
    expect((await rejection(list({ nextToken: 'not-a-token' }))).name).toBe('InvalidToken');
    expect((await rejection(history({ nextToken: 'not-a-token' }))).name).toBe('InvalidToken');
  });

  it("a listing's token pages on, and only for the operation that handed it out", async () => {
    for (let i = 0; i < 3; i++) {
      await start(`run-${i}`);
      h.clock.tick(10_000);
    }
    const first = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 2 }),
    );
    expect(first.executions?.map((execution) => execution.name)).toEqual(['run-2', 'run-1']);
    const second = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: STATE_MACHINE_ARN,
        maxResults: 2,
        nextToken: first.nextToken,
      }),
    );
    expect(second.executions?.map((execution) => execution.name)).toEqual(['run-0']);
    expect(second.nextToken).toBeUndefined();

    const executionArn = first.executions?.[0]?.executionArn;
    const elsewhere = sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: first.nextToken }));
    expect((await rejection(elsewhere)).name).toBe('InvalidToken');
  });

  it('StartExecution and StopExecution refuse members over their length limits, and the execution runs on', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(262_144) });
    const tooBig = sfn.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'big', input: big }),
    );
    expect((await rejection(tooBig)).name).toBe('ValidationException');
    expect(h.stepFunctions.executions).toHaveLength(0);

    const { executionArn } = await start('release-1');
    const longError = sfn.send(new StopExecutionCommand({ executionArn, error: 'e'.repeat(257) }));
    expect((await rejection(longError)).name).toBe('ValidationException');
    const longCause = sfn.send(new StopExecutionCommand({ executionArn, cause: 'c'.repeat(32_769) }));
    expect((await rejection(longCause)).name).toBe('ValidationException');
    expect(h.stepFunctions.executions[0]?.status).toBe('RUNNING');
  });
});
