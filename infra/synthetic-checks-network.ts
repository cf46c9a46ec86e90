import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { SyntheticChecksNetwork } from '../lambdas/shared/settings';

/**
 * Runs a step's function in the synthetic checks' subnets and security groups, so that it reaches an
 * internal load balancer. Set on the CloudFormation resource (the L1 escape hatch): the function is created
 * by the shared step loop, which knows nothing of networks. The permissions Lambda needs to manage the
 * function's network interfaces are the step's registry grants (state-machine/step-registry.ts,
 * docs/aws-facts/iam-authorization.md#lambda-in-a-vpc).
 */
export function runInChecksNetwork(fn: lambda.Function, network: SyntheticChecksNetwork): void {
  (fn.node.defaultChild as lambda.CfnFunction).vpcConfig = {
    subnetIds: [...network.subnetIds],
    securityGroupIds: [...network.securityGroupIds],
  };
}
