import type { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from '../contract/errors';

/**
 * The Tracer, only where it traces: in Lambda (`AWS_EXECUTION_ENV` set) unless `POWERTOOLS_TRACE_ENABLED` is
 * "false" — the conditions under which Powertools enables it at all. Elsewhere (the simulation, tests, the
 * CLI) it would be a no-op, yet loading it costs about 100 ms (it brings the X-Ray SDK), paid once per bundle:
 * a second per simulated deployment. Required here, not imported, so that esbuild evaluates it only then.
 */
function lambdaTracer(): Tracer | undefined {
  if (!process.env.AWS_EXECUTION_ENV || process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() === 'false') {
    return undefined;
  }
  const { Tracer: TracerClass } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when it will trace (above)
    require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  return new TracerClass({ serviceName: SERVICE_NAME });
}

const tracer = lambdaTracer();

/**
 * Every step's SDK client is made through here, once, at module scope. The functions run with active tracing:
 * in Lambda each AWS call becomes a subsegment of the invocation's trace.
 */
export function traced<Client extends object>(client: Client): Client {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
