/**
 * SendTaskSuccess and SendTaskFailure against their API reference pages (docs/aws-facts/
 * step-functions.md#operations-audited-against-their-api-reference).
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { standaloneCalls, type ApiCalls } from '../../../simulator/account/api-calls';
import { TaskTokens } from '../../../simulator/account/task-tokens';
import { rejection } from '../../support/account';

const sfn = new SFNClient({ region: 'us-east-1' });
let tokens: TaskTokens;
let calls: ApiCalls;
beforeEach(() => {
  jest.useFakeTimers({
    now: Date.parse('2026-01-01T00:00:00.000Z'),
    doNotFake: ['nextTick', 'setImmediate'],
  });
  tokens = new TaskTokens();
  calls = standaloneCalls('states', tokens.routes());
  calls.install();
});
afterEach(() => {
  calls.uninstall();
  jest.useRealTimers();
});

describe('SendTaskSuccess and SendTaskFailure, as their API reference pages say', () => {
  it('refuse members over their length limits and leave the Task waiting', async () => {
    const { token, answer } = tokens.issue(600, () => true);
    const longOutput = sfn.send(
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify('x'.repeat(262_144)) }),
    );
    expect((await rejection(longOutput)).name).toBe('ValidationException');
    const longError = sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'e'.repeat(257) }));
    expect((await rejection(longError)).name).toBe('ValidationException');
    const longCause = sfn.send(new SendTaskFailureCommand({ taskToken: token, cause: 'c'.repeat(32_769) }));
    expect((await rejection(longCause)).name).toBe('ValidationException');

    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
    await expect(answer).resolves.toEqual({ ok: true });
  });
});
