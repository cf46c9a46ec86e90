import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { standaloneCalls, type ApiCalls } from '../../../simulator/account/api-calls';
import { TASK_TOKEN_PLACEHOLDER, TaskTokens } from '../../../simulator/account/task-tokens';
import { rejection } from '../../support/account';

const sfn = new SFNClient({ region: 'us-east-1' });
let tokens: TaskTokens;
let calls: ApiCalls;
let running: boolean;
beforeEach(() => {
  jest.useFakeTimers({
    now: Date.parse('2026-01-01T00:00:00.000Z'),
    doNotFake: ['nextTick', 'setImmediate'],
  });
  tokens = new TaskTokens();
  calls = standaloneCalls('states', tokens.routes());
  calls.install();
  running = true;
});
afterEach(() => {
  calls.uninstall();
  jest.useRealTimers();
});

const succeed = (taskToken: string, output = '{"result":"pass"}') =>
  sfn.send(new SendTaskSuccessCommand({ taskToken, output }));

describe('the callback pattern: SendTaskSuccess and SendTaskFailure (docs/aws-facts/step-functions.md#callbacks)', () => {
  it('SendTaskSuccess gives its output to the Task waiting on the token, once', async () => {
    const { token, answer } = tokens.issue(600, () => running);
    await succeed(token);
    await expect(answer).resolves.toEqual({ result: 'pass' });
    // Answered: the task is closed.
    expect((await rejection(succeed(token))).name).toBe('TaskTimedOut');
  });

  it('SendTaskFailure fails the Task with its error and cause', async () => {
    const { token, answer } = tokens.issue(600, () => running);
    await sfn.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'TestsFailed', cause: '2 failures' }),
    );
    await expect(answer).rejects.toMatchObject({ name: 'TestsFailed', message: '2 failures' });
  });

  it('refuses what is no token (InvalidToken), a token no Task gave (TaskDoesNotExist), and output that is not JSON', async () => {
    expect((await rejection(succeed('not-a-token'))).name).toBe('InvalidToken');
    expect((await rejection(succeed(TASK_TOKEN_PLACEHOLDER))).name).toBe('InvalidToken');
    expect((await rejection(succeed('AQB0000990123456789abcdef'))).name).toBe('TaskDoesNotExist');
    const { token } = tokens.issue(600, () => running);
    expect((await rejection(succeed(token, '{result'))).name).toBe('InvalidOutput');
  });

  it('answers TaskTimedOut once the Task timed out, or its execution ended', async () => {
    const late = tokens.issue(120, () => running);
    jest.advanceTimersByTime(120_000);
    expect((await rejection(succeed(late.token))).name).toBe('TaskTimedOut');
    const stopped = tokens.issue(600, () => running);
    running = false;
    expect((await rejection(succeed(stopped.token))).name).toBe('TaskTimedOut');
  });
});
