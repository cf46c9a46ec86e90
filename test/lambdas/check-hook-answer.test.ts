import { handler } from '../../lambdas/check-hook-answer/handler';

const base = { stage: 'before-shift', functionName: 'change-window', callback: false, timeoutSeconds: 300 };
const judge = (outcome: unknown, overrides: Record<string, unknown> = {}) =>
  handler({ ...base, ...overrides, outcome });
const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('passed');
};

describe('check-hook-answer (docs/hooks.md#the-answer)', () => {
  it('passes {"result": "pass"}, extra fields allowed, and is the same twice', async () => {
    const expected = { stage: 'before-shift', functionName: 'change-window', result: 'pass' };
    await expect(judge({ answer: { result: 'pass' } })).resolves.toEqual(expected);
    await expect(judge({ answer: { result: 'pass', details: { checked: 12 } } })).resolves.toEqual(expected);
  });

  it('fails {"result": "fail"} with its reason, or says none was given', async () => {
    expect(await failure(judge({ answer: { result: 'fail', reason: 'a change freeze is on' } }))).toEqual({
      name: 'HookFailedError',
      message: 'Hook change-window (before production shift) failed: a change freeze is on',
    });
    expect((await failure(judge({ answer: { result: 'fail' } }))).message).toBe(
      'Hook change-window (before production shift) failed: it gave no reason',
    );
  });

  it.each([
    ['a string', 'pass', '"pass"'],
    ['null (no return value)', null, 'null'],
    ['another result', { result: 'passed' }, '{"result":"passed"}'],
    ['a result of another case', { result: 'PASS' }, '{"result":"PASS"}'],
    ['an array', [{ result: 'pass' }], '[{"result":"pass"}]'],
  ])('fails anything else (%s), quoting it', async (_what, answer, quoted) => {
    expect(await failure(judge({ answer }))).toEqual({
      name: 'HookFailedError',
      message: `Hook change-window (before production shift) answered ${quoted}, which is neither {"result": "pass"} nor {"result": "fail", "reason": "…"}`,
    });
  });

  it('quotes at most 200 characters of an unexpected answer', async () => {
    const { message } = await failure(judge({ answer: { result: 'x'.repeat(500) } }));
    expect(message).toContain(`${'x'.repeat(188)}…, which is neither`);
  });

  it("fails a function error with its type and message, from Lambda's JSON cause", async () => {
    const cause = JSON.stringify({ errorType: 'TypeError', errorMessage: 'x is undefined', trace: [] });
    expect(await failure(judge({ Error: 'TypeError', Cause: cause }))).toEqual({
      name: 'HookFailedError',
      message: 'Hook change-window (before production shift) failed: TypeError: x is undefined',
    });
  });

  it('fails a callback hook that sent SendTaskFailure with its error and cause', async () => {
    const outcome = { Error: 'ContractTestsFailed', Cause: 'the contract tests found 2 failures' };
    expect((await failure(judge(outcome, { callback: true, stage: 'test-traffic' }))).message).toBe(
      'Hook change-window (test traffic) failed: ContractTestsFailed: the contract tests found 2 failures',
    );
  });

  it('times out with HookTimedOutError, telling a callback hook how to answer', async () => {
    expect(await failure(judge({ Error: 'States.Timeout', Cause: null }))).toEqual({
      name: 'HookTimedOutError',
      message: 'Hook change-window (before production shift) did not answer within 300 s',
    });
    const callback = await failure(
      judge({ Error: 'States.Timeout' }, { callback: true, timeoutSeconds: 600 }),
    );
    expect(callback.message).toBe(
      'Hook change-window (before production shift) did not answer within 600 s: a callback hook answers with SendTaskSuccess or SendTaskFailure and the taskToken of its event',
    );
  });

  it('refuses a malformed input as any step does', async () => {
    expect((await failure(handler({ ...base, stage: 'later', outcome: { answer: 1 } }))).name).toBe(
      'InvalidInputError',
    );
  });
});
