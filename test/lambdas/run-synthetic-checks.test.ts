import { handler } from '../../lambdas/run-synthetic-checks/handler';
import { logger } from '../../lambdas/shared/logger';

const AMI = 'ami-0123456789abcdef0';
const OLD_AMI = 'ami-00000000000000001';

interface Reply {
  status?: number;
  body?: string;
  latencyMs?: number;
  headers?: Record<string, string>;
  error?: Error;
}

let clock = 1_700_000_000_000;
let fetchMock: jest.SpiedFunction<typeof fetch>;

/** The ALB as seen through fetch: `route` answers each request; the virtual clock advances by its latency. */
function givenEndpoint(route: (url: string, init: RequestInit | undefined, call: number) => Reply): void {
  let call = 0;
  fetchMock.mockImplementation(async (url, init) => {
    const reply = route(String(url), init, (call += 1));
    clock += reply.latencyMs ?? 20;
    if (reply.error) throw reply.error;
    return new Response(reply.body ?? 'OK', {
      status: reply.status ?? 200,
      headers: { 'x-ami-id': AMI, ...reply.headers },
    });
  });
}

function settings(overrides: object = {}) {
  return {
    endpoint: 'http://alb.example.com',
    header: { name: 'Synthetic', value: 'True' },
    checks: [
      { path: '/health', expectedStatus: 200, maxLatencyMs: 500 },
      { path: '/api/version', expectedStatus: 200, bodyIncludes: '"ok":true', maxLatencyMs: 500 },
    ],
    repetitions: 3,
    requestTimeoutMs: 1_000,
    ...overrides,
  };
}

const run = (overrides: object = {}, amiId = AMI) => handler({ syntheticChecks: settings(overrides), amiId });

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  fetchMock = jest.spyOn(global, 'fetch');
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
});
afterEach(() => jest.restoreAllMocks());

describe('run-synthetic-checks', () => {
  it('runs every check for every repetition through the endpoint with the synthetic header', async () => {
    givenEndpoint((url) => ({
      body: url.endsWith('/api/version') ? '{"ok":true}' : 'OK',
      latencyMs: url.endsWith('/health') ? 30 : 120,
    }));

    await expect(run()).resolves.toEqual({ passed: true, requests: 6, slowestMs: 120 });

    expect(fetchMock).toHaveBeenCalledTimes(6);
    expect(fetchMock.mock.calls.map(([url]) => url)).toEqual([
      'http://alb.example.com/health',
      'http://alb.example.com/api/version',
      'http://alb.example.com/health',
      'http://alb.example.com/api/version',
      'http://alb.example.com/health',
      'http://alb.example.com/api/version',
    ]);
    const init = fetchMock.mock.calls[0]![1]!;
    expect(init.headers).toEqual({ Synthetic: 'True' });
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('sends the configured header and joins an endpoint that ends with a slash', async () => {
    givenEndpoint(() => ({ body: '{"ok":true}' }));
    await run({
      endpoint: 'https://alb.example.com/',
      header: { name: 'X-Canary', value: 'yes' },
      repetitions: 1,
    });
    expect(fetchMock.mock.calls[0]![0]).toBe('https://alb.example.com/health');
    expect(fetchMock.mock.calls[0]![1]!.headers).toEqual({ 'X-Canary': 'yes' });
  });

  it('I2: a wrong status fails the checks, saying what was expected and what came back', async () => {
    givenEndpoint((url) =>
      url.endsWith('/health') ? { status: 503, body: 'Service Unavailable' } : { body: '{"ok":true}' },
    );
    const failure = run({ repetitions: 1 });
    await expect(failure).rejects.toMatchObject({ name: 'SyntheticCheckFailedError' });
    await expect(failure).rejects.toThrow(
      `Synthetic checks failed for ${AMI}: 1 of 2 requests to http://alb.example.com with header Synthetic failed. ` +
        'GET /health (repetition 1): expected status 200, got 503.',
    );
  });

  it('checks the body text', async () => {
    givenEndpoint(() => ({ body: '{"ok":false,"db":"down"}' }));
    await expect(run({ repetitions: 1 })).rejects.toThrow(
      'GET /api/version (repetition 1): expected the body to include "\\"ok\\":true", got "{\\"ok\\":false,\\"db\\":\\"down\\"}"',
    );
  });

  it('checks the latency bound', async () => {
    givenEndpoint((url) => ({ body: '{"ok":true}', latencyMs: url.endsWith('/health') ? 501 : 500 }));
    await expect(run({ repetitions: 1 })).rejects.toThrow(
      /1 of 2 requests .*GET \/health \(repetition 1\): expected an answer within 500 ms, took 501 ms\./,
    );
  });

  it('with a version header, a response from the old version is a failure (the request missed the new fleet)', async () => {
    givenEndpoint(() => ({ body: '{"ok":true}', headers: { 'x-ami-id': OLD_AMI } }));
    await expect(run({ versionHeader: 'X-AMI-Id', repetitions: 1 })).rejects.toThrow(
      `expected header X-AMI-Id: ${AMI} (proof the new version answered), got "${OLD_AMI}"`,
    );

    givenEndpoint(() => ({ body: '{"ok":true}' }));
    await expect(run({ versionHeader: 'X-AMI-Id' })).resolves.toMatchObject({ passed: true });
  });

  it('a missing version header is a failure', async () => {
    givenEndpoint(() => ({ body: '{"ok":true}', headers: {} }));
    await expect(run({ versionHeader: 'X-Served-By', repetitions: 1 })).rejects.toThrow('got no such header');
  });

  it('a network error is a failure, not a crash', async () => {
    givenEndpoint(() => ({ error: new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }) }));
    await expect(run({ repetitions: 1 })).rejects.toMatchObject({
      name: 'SyntheticCheckFailedError',
      message: expect.stringContaining(
        'expected a response, got a network error: fetch failed (ECONNREFUSED)',
      ),
    });
  });

  it('a request that times out is a failure naming the timeout', async () => {
    givenEndpoint(() => ({
      error: new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      latencyMs: 1_000,
    }));
    await expect(run({ repetitions: 1 })).rejects.toThrow('expected a response, got none within 1000 ms');
  });

  it('counts every failure of the repetition but quotes only the first three', async () => {
    givenEndpoint(() => ({ status: 500 }));
    const checks = ['/a', '/b', '/c', '/d', '/e'].map((path) => ({
      path,
      expectedStatus: 200,
      maxLatencyMs: 500,
    }));
    const error = await run({ checks, repetitions: 1 }).catch((caught: Error) => caught);
    expect(error).toMatchObject({ name: 'SyntheticCheckFailedError' });
    const message = (error as Error).message;
    expect(message).toContain('5 of 5 requests');
    expect(message).toContain('GET /c (repetition 1)');
    expect(message).not.toContain('GET /d');
    expect(message).toContain('and 2 more');
  });

  it('stops after the first repetition with a failure instead of running out the Lambda timeout', async () => {
    givenEndpoint((url, _init, call) =>
      call === 3 && url.endsWith('/health') ? { status: 502 } : { body: '{"ok":true}' },
    );
    await expect(run({ repetitions: 5 })).rejects.toThrow(
      /1 of 4 requests .* failed \(stopped after repetition 2 of 5\)\. GET \/health \(repetition 2\)/,
    );
    expect(fetchMock).toHaveBeenCalledTimes(4);
  });

  it('I6: a second run sends the same requests and gives the same result', async () => {
    givenEndpoint(() => ({ body: '{"ok":true}', latencyMs: 40 }));
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(fetchMock).toHaveBeenCalledTimes(12);
  });

  it('rejects settings without checks before sending anything', async () => {
    givenEndpoint(() => ({}));
    await expect(run({ checks: [] })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('syntheticChecks.checks: needs at least one check'),
    });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('I8: rejects a malformed AMI id before sending anything', async () => {
    givenEndpoint(() => ({}));
    await expect(run({}, 'ami-nothex')).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
