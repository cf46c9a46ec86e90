import { AttachTrafficSourcesCommand, SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { DEFAULT_AMIS } from '../../../simulator/account';
import { createHarness, greenOnSynthetic, type Harness } from './harness';

describe('the simulated ALB and application', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('forwards the synthetic header (name and value case-insensitive) to the synthetic target group', async () => {
    h = createHarness();
    await greenOnSynthetic(h);
    const variants: Record<string, string>[] = [
      { Synthetic: 'True' },
      { synthetic: 'true' },
      { SYNTHETIC: 'TRUE' },
    ];
    for (const headers of variants) {
      const response = h.account.alb.request({ path: '/', headers, kind: 'synthetic' });
      expect([response.status, response.version, response.targetGroupArn]).toEqual([
        200,
        DEFAULT_AMIS.next,
        h.synthetic,
      ]);
    }
    const user = h.account.alb.request({ path: '/' });
    expect([user.status, user.version, user.targetGroupArn]).toEqual([200, DEFAULT_AMIS.current, h.main]);
    expect(h.account.alb.request({ path: '/', headers: { Synthetic: 'False' } }).version).toBe(
      DEFAULT_AMIS.current,
    );
  });

  it('answers like the reference app: JSON body and X-App-Version header', () => {
    h = createHarness();
    const response = h.account.alb.request({ path: '/health' });
    expect(JSON.parse(response.body)).toEqual({ version: DEFAULT_AMIS.current, instance: response.targetId });
    expect(response.headers['x-app-version']).toBe(DEFAULT_AMIS.current);
    expect(response.outcome).toBe('ok');
  });

  it('answers 503 when the target group has no registered targets', () => {
    h = createHarness();
    const response = h.account.alb.request({ path: '/', headers: { Synthetic: 'True' } });
    expect([response.status, response.outcome, response.targetId]).toEqual([503, 'failed', undefined]);
  });

  it('fails open to unhealthy targets when none is healthy', async () => {
    h = createHarness();
    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.blue, ScalingProcesses: ['HealthCheck'] }),
    );
    // Health checks time out (5 s) but users still get slow answers.
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, { latencyMs: 6000 });
    h.run(20);
    expect(h.account.snapshot().targetGroups[h.main]?.targets.map((t) => t.state)).toEqual([
      'unhealthy',
      'unhealthy',
      'unhealthy',
    ]);
    const served = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const response = h.account.alb.request({ path: '/' });
      expect([response.status, response.latencyMs]).toEqual([200, 6000]);
      served.add(response.targetId as string);
    }
    expect(served.size).toBe(3);
  });

  it('a target whose app does not answer gives 502', async () => {
    h = createHarness();
    h.account.setVersionBehaviour(DEFAULT_AMIS.current, { failHealthChecks: true });
    const response = h.account.alb.request({ path: '/' });
    expect([response.status, response.outcome]).toEqual([502, 'failed']);
  });

  it('failSyntheticChecks: /health is fine, every other path answers 500', async () => {
    h = createHarness({ newVersion: { failSyntheticChecks: true } });
    await greenOnSynthetic(h);
    expect(h.account.snapshot().targetGroups[h.synthetic]?.targets.map((t) => t.state)).toEqual([
      'healthy',
      'healthy',
    ]);
    const page = h.account.alb.request({ path: '/products', headers: { Synthetic: 'True' } });
    expect([page.status, page.outcome, page.version]).toEqual([500, 'app-error', DEFAULT_AMIS.next]);
  });

  it('errorRate starts the given minutes after the version first served through the main target group', async () => {
    h = createHarness({ newVersion: { errorRate: 1, errorsFromMinuteAfterShift: 2 } });
    await greenOnSynthetic(h);
    const synthetic = () => h.account.alb.request({ path: '/', headers: { Synthetic: 'True' } }).status;
    expect(synthetic()).toBe(200);
    await h.asg.send(
      new AttachTrafficSourcesCommand({
        AutoScalingGroupName: h.green,
        TrafficSources: [{ Identifier: h.main }],
      }),
    );
    h.run(6);
    const versions = new Set<string>();
    for (let i = 0; i < 10; i++) versions.add(h.account.alb.request({ path: '/' }).version as string);
    expect(versions).toEqual(new Set([DEFAULT_AMIS.current, DEFAULT_AMIS.next]));
    h.run(119);
    expect(synthetic()).toBe(200);
    h.run(1);
    expect(synthetic()).toBe(500);
  });

  it('fetch reaches the ALB by its DNS name and nothing else', async () => {
    h = createHarness();
    await greenOnSynthetic(h);
    const response = await h.account.fetch(`http://${h.environment.loadBalancer.dnsName}/health?x=1`, {
      headers: { Synthetic: 'True' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-app-version')).toBe(DEFAULT_AMIS.next);
    expect(await response.json()).toMatchObject({ version: DEFAULT_AMIS.next });
    const viaRequest = await h.account.fetch(new Request(`https://${h.environment.loadBalancer.dnsName}/`));
    expect(viaRequest.headers.get('x-app-version')).toBe(DEFAULT_AMIS.current);
    await expect(h.account.fetch('https://example.com/')).rejects.toThrow('fetch failed');
  });

  it('fetch to a name other than the ALB fails as Node reports a name that does not resolve', async () => {
    h = createHarness();
    const error = await h.account.fetch('https://example.com/health').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({
      message: 'fetch failed',
      cause: { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'example.com' },
    });
    expect((error as { cause: Error }).cause.message).toBe(
      'getaddrinfo ENOTFOUND example.com (the simulated account has no network route to https://example.com/health)',
    );
    await expect(h.account.fetch('ftp://example.com/')).rejects.toMatchObject({
      message: 'fetch failed',
      cause: { message: 'The simulated account has no network route to ftp://example.com/' },
    });
  });

  it('paths: a version answers particular paths with their own status, body and latency', async () => {
    h = createHarness({
      newVersion: {
        latencyMs: 50,
        paths: {
          '/api/version': { body: '{"ok":false}', latencyMs: 300 },
          '/broken': { status: 503 },
          '/health': { status: 502, body: 'Bad Gateway' },
        },
      },
    });
    await greenOnSynthetic(h);
    const synthetic = (path: string) => {
      const response = h.account.alb.request({ path, headers: { Synthetic: 'True' } });
      return [response.status, response.body, response.latencyMs, response.version];
    };
    const identity = (body: string | number | undefined) => JSON.parse(String(body)) as object;

    // The path's own answer, whatever the query; the rest of the version's behaviour elsewhere.
    expect(synthetic('/api/version?x=1')).toEqual([200, '{"ok":false}', 300, DEFAULT_AMIS.next]);
    const broken = synthetic('/broken');
    expect([broken[0], broken[2]]).toEqual([503, 50]);
    expect(identity(broken[1])).toMatchObject({ error: 'Internal Server Error', version: DEFAULT_AMIS.next });
    const page = synthetic('/products');
    expect([page[0], page[2]]).toEqual([200, 50]);
    expect(identity(page[1])).toMatchObject({ version: DEFAULT_AMIS.next });
    expect(synthetic('/health')).toEqual([502, 'Bad Gateway', 50, DEFAULT_AMIS.next]);
    // The ALB's health checks ask /health like anyone else.
    const synthetics = () => h.account.snapshot().targetGroups[h.synthetic]?.targets ?? [];
    h.until(() => synthetics().some((target) => target.state === 'unhealthy'), 60);
    expect(synthetics().find((target) => target.state === 'unhealthy')?.reason).toBe(
      'Target.ResponseCodeMismatch',
    );
    // Other versions are unaffected.
    expect(h.account.alb.request({ path: '/health' })).toMatchObject({
      status: 200,
      latencyMs: 20,
      version: DEFAULT_AMIS.current,
    });
  });

  it('paths: a hung version answers none of its paths', async () => {
    h = createHarness({ newVersion: { failHealthChecks: true, paths: { '/api/version': { status: 200 } } } });
    await greenOnSynthetic(h);
    const response = h.account.alb.request({ path: '/api/version', headers: { Synthetic: 'True' } });
    expect([response.status, response.outcome]).toEqual([502, 'failed']);
  });
});
