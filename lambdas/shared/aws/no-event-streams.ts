/**
 * What the shipped bundles have in place of the SDK's event-stream support (`@smithy/core/event-streams`,
 * put here by infra/bundling.ts). The SDK loads it only for an operation whose input or output is an event
 * stream, and none of the services the steps call (Auto Scaling, EC2, Elastic Load Balancing, CloudWatch,
 * IAM, SNS, EventBridge, Step Functions) has one; as a lazy import it still cost each bundle 15 KB and each
 * cold start about 10 ms. Should a step ever send such an operation, it fails saying why.
 */
function unsupported(): never {
  throw new Error(
    'This step was bundled without AWS SDK event-stream support (lambdas/shared/aws/no-event-streams.ts): remove the alias in infra/bundling.ts to send an operation that streams events.',
  );
}

export class EventStreamSerde {
  constructor() {
    unsupported();
  }
}

export const eventStreamSerdeProvider = unsupported;
