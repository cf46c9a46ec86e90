import { SNSClient } from '@aws-sdk/client-sns';

/**
 * The Tracer wraps the SDK clients where Powertools would trace (in Lambda), and is not even loaded elsewhere:
 * it costs about 100 ms to load, once per bundle, for a no-op outside Lambda.
 */
describe('traced SDK clients', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  function tracedClientMiddleware(env: Record<string, string | undefined>) {
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    let middleware: string[] = [];
    jest.isolateModules(() => {
      const { traced } = jest.requireActual<typeof import('../../lambdas/shared/aws/clients')>(
        '../../lambdas/shared/aws/clients',
      );
      middleware = traced(new SNSClient({ region: 'us-east-1' })).middlewareStack.identify();
    });
    return { middleware };
  }

  it('in Lambda, every call is recorded as an X-Ray subsegment', () => {
    const { middleware } = tracedClientMiddleware({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' });
    expect(middleware.some((name) => name.startsWith('XRaySDKInstrumentation'))).toBe(true);
  });

  it('in Lambda with POWERTOOLS_TRACE_ENABLED=false, as outside Lambda, the client is left as it is', () => {
    for (const env of [
      { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'false' },
      { AWS_EXECUTION_ENV: undefined },
    ]) {
      const { middleware } = tracedClientMiddleware(env);
      expect(middleware.some((name) => name.startsWith('XRaySDKInstrumentation'))).toBe(false);
    }
  });
});
