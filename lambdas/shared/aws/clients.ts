import { Tracer } from '@aws-lambda-powertools/tracer';

/** The functions run with active tracing: each AWS call becomes a subsegment of the invocation's trace. */
const tracer = new Tracer({ serviceName: 'asg-blue-green' });

/** Every step's SDK client is made through here, once, at module scope. */
export function traced<Client extends object>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
