import { CreateRuleCommand, DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { handler } from '../../lambdas/run-synthetic-checks/handler';
import { DEFAULT_AMIS, type VersionBehaviour } from '../../simulator/account';
import { createHarness, type Harness } from '../support/account';

const NEW = DEFAULT_AMIS.next;
const OLD = DEFAULT_AMIS.current;

let h: Harness;
/** What the handler sent, in order (the answers come from the simulated ALB). */
let sent: { url: string; init: RequestInit | undefined }[];
const realFetch = globalThis.fetch;

/**
 * The account with the new version (`behaviour`) on the standby group's two instances, InService and
 * healthy behind the synthetic target group, and the handler's fetch reaching its ALB.
 */
function arrange(behaviour: VersionBehaviour = {}, syntheticHeader?: { name: string; value: string }): void {
  h = createHarness({
    newVersion: behaviour,
    customize: (environment) => {
      Object.assign(environment.groups.green, {
        amiId: NEW,
        desired: 2,
        max: Math.max(2, environment.groups.green.max),
        attachedTargetGroups: [environment.syntheticTargetGroup.arn],
      });
      if (syntheticHeader) environment.syntheticHeader = syntheticHeader;
    },
  });
  expect(Object.values(h.health(h.synthetic))).toEqual(['healthy', 'healthy']);
  sent = [];
  // The client's side of each request, on the test's virtual clock: the simulated ALB answers at once and
  // says how long the answer took (server-timing, as alb-fetch documents), so the clock passes that
  // latency here; the request's timeout (AbortSignal.timeout, a real-time timer otherwise) runs on the same
  // clock, so a slow version times out as it would against a real ALB.
  jest.spyOn(AbortSignal, 'timeout').mockImplementation((milliseconds) => {
    const controller = new AbortController();
    h.clock.setTimeout(
      () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      milliseconds,
    );
    return controller.signal;
  });
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(input), init });
    const response = await h.account.fetch(input, init);
    const latencyMs = Number(/dur=(\d+)/.exec(response.headers.get('server-timing') ?? '')?.[1] ?? 0);
    for (let waited = 0; waited < latencyMs && !init?.signal?.aborted; waited += 1) h.clock.tick(1);
    if (init?.signal?.aborted) throw init.signal.reason;
    return response;
  };
}

const endpoint = () => `http://${h.environment.loadBalancer.dnsName}`;

function settings(overrides: object = {}) {
  return {
    endpoint: endpoint(),
    header: { name: 'Synthetic', value: 'True' },
    checks: [
      { path: '/health', expectedStatus: 200, maxLatencyMs: 500 },
      // The reference application answers `{"version":…,"instance":…}`.
      { path: '/api/version', expectedStatus: 200, bodyIncludes: `"version":"${NEW}"`, maxLatencyMs: 500 },
    ],
    repetitions: 3,
    requestTimeoutMs: 1_000,
    ...overrides,
  };
}

const run = (overrides: object = {}, amiId: string = NEW) =>
  handler({ syntheticChecks: settings(overrides), amiId });

afterEach(() => {
  globalThis.fetch = realFetch;
  jest.restoreAllMocks();
  h.dispose();
});

describe('run-synthetic-checks', () => {
  it('runs every check for every repetition through the endpoint with the synthetic header', async () => {
    arrange({ paths: { '/health': { latencyMs: 30 }, '/api/version': { latencyMs: 120 } } });

    await expect(run()).resolves.toEqual({ passed: true, requests: 6, slowestMs: 120 });

    expect(sent.map(({ url }) => url)).toEqual([
      `${endpoint()}/health`,
      `${endpoint()}/api/version`,
      `${endpoint()}/health`,
      `${endpoint()}/api/version`,
      `${endpoint()}/health`,
      `${endpoint()}/api/version`,
    ]);
    for (const { init } of sent) {
      expect(init?.headers).toEqual({ Synthetic: 'True' });
      expect(init?.signal).toBeInstanceOf(AbortSignal);
    }
    expect(jest.mocked(AbortSignal.timeout).mock.calls).toEqual(Array(6).fill([1_000]));
  });

  it('sends the configured header and joins an endpoint that ends with a slash', async () => {
    // The listener's rule forwards X-Canary: yes to the synthetic target group.
    arrange({}, { name: 'X-Canary', value: 'yes' });
    await expect(
      run({
        endpoint: `https://${h.environment.loadBalancer.dnsName}/`,
        header: { name: 'X-Canary', value: 'yes' },
        versionHeader: 'X-App-Version',
        repetitions: 1,
      }),
    ).resolves.toMatchObject({ passed: true, requests: 2 });
    expect(sent[0]!.url).toBe(`https://${h.environment.loadBalancer.dnsName}/health`);
    expect(sent[0]!.init!.headers).toEqual({ 'X-Canary': 'yes' });
  });

  it('I2: a wrong status fails the checks, saying what was expected and what came back', async () => {
    arrange({ paths: { '/health': { status: 503, body: 'Service Unavailable' } } });
    const failure = run({ repetitions: 1 });
    await expect(failure).rejects.toMatchObject({ name: 'SyntheticCheckFailedError' });
    await expect(failure).rejects.toThrow(
      `Synthetic checks failed for ${NEW}: 1 of 2 requests to ${endpoint()} with header Synthetic failed. ` +
        'GET /health (repetition 1): expected status 200, got 503.',
    );
  });

  it('checks the body text', async () => {
    arrange({ paths: { '/api/version': { body: '{"ok":false,"db":"down"}' } } });
    await expect(run({ repetitions: 1 })).rejects.toThrow(
      `GET /api/version (repetition 1): expected the body to include "\\"version\\":\\"${NEW}\\"", ` +
        'got "{\\"ok\\":false,\\"db\\":\\"down\\"}"',
    );
  });

  it('checks the latency bound', async () => {
    arrange({ latencyMs: 500, paths: { '/health': { latencyMs: 501 } } });
    await expect(run({ repetitions: 1 })).rejects.toThrow(
      /1 of 2 requests .*GET \/health \(repetition 1\): expected an answer within 500 ms, took 501 ms\./,
    );
  });

  it('with a version header, a response from the old version is a failure (the request missed the new fleet)', async () => {
    arrange();
    await expect(run({ versionHeader: 'X-App-Version' })).resolves.toMatchObject({ passed: true });

    // A rule ahead of the synthetic one forwards the synthetic header to the main target group (old fleet).
    const { Listeners } = await h.elb.send(
      new DescribeListenersCommand({ LoadBalancerArn: h.environment.loadBalancer.arn }),
    );
    await h.elb.send(
      new CreateRuleCommand({
        ListenerArn: Listeners?.[0]?.ListenerArn,
        Priority: 1,
        Conditions: [
          { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'Synthetic', Values: ['True'] } },
        ],
        Actions: [{ Type: 'forward', TargetGroupArn: h.main }],
      }),
    );
    await expect(run({ versionHeader: 'X-App-Version', repetitions: 1 })).rejects.toThrow(
      `expected header X-App-Version: ${NEW} (proof the new version answered), got "${OLD}"`,
    );
  });

  it('a missing version header is a failure', async () => {
    arrange();
    await expect(run({ versionHeader: 'X-Served-By', repetitions: 1 })).rejects.toThrow('got no such header');
  });

  it('a network error is a failure, not a crash', async () => {
    // An endpoint that is not the load balancer's name: it does not resolve.
    arrange();
    await expect(run({ endpoint: 'http://alb.example.com', repetitions: 1 })).rejects.toMatchObject({
      name: 'SyntheticCheckFailedError',
      message: expect.stringContaining('expected a response, got a network error: fetch failed (ENOTFOUND)'),
    });
  });

  it('a request that times out is a failure naming the timeout', async () => {
    arrange({ latencyMs: 1_500 });
    await expect(run({ repetitions: 1 })).rejects.toThrow('expected a response, got none within 1000 ms');
    expect(Date.now()).toBe(2_000);
  });

  it('counts every failure of the repetition but quotes only the first three', async () => {
    arrange({ failSyntheticChecks: true });
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
    arrange();
    // 30 ms in (each answer takes the default 20 ms): during the second request, /health breaks.
    h.clock.setTimeout(
      () => h.account.setVersionBehaviour(NEW, { paths: { '/health': { status: 502 } } }),
      30,
    );
    await expect(run({ repetitions: 5 })).rejects.toThrow(
      /1 of 4 requests .* failed \(stopped after repetition 2 of 5\)\. GET \/health \(repetition 2\)/,
    );
    expect(sent).toHaveLength(4);
  });

  it('I6: a second run sends the same requests and gives the same result', async () => {
    arrange({ latencyMs: 40 });
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first).toEqual({ passed: true, requests: 6, slowestMs: 40 });
    expect(sent).toHaveLength(12);
    expect(sent.slice(6).map(({ url }) => url)).toEqual(sent.slice(0, 6).map(({ url }) => url));
  });

  it('rejects settings without checks before sending anything', async () => {
    arrange();
    await expect(run({ checks: [] })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('syntheticChecks.checks: needs at least one check'),
    });
    expect(sent).toEqual([]);
  });

  it('I8: rejects a malformed AMI id before sending anything', async () => {
    arrange();
    await expect(run({}, 'ami-nothex')).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(sent).toEqual([]);
  });
});
