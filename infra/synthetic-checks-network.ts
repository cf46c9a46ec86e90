import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { SyntheticChecksNetwork } from '../lambdas/shared/settings';

/**
 * Runs the synthetic-check function in the given subnets and security groups, so that it reaches an internal
 * load balancer. Set on the CloudFormation resource (the L1 escape hatch): the function is created by the
 * shared step loop, which knows nothing of networks.
 *
 * Lambda creates and deletes the function's network interfaces with the function's own execution role
 * ("Execution role and user permissions", https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html;
 * the same actions, all on `*`, as the managed AWSLambdaVPCAccessExecutionRole:
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html).
 * Here they are scoped: interfaces are created only in these subnets with these security groups;
 * DescribeNetworkInterfaces "only works if it's allowed on all resources", DescribeSubnets is a read.
 */
export function runSyntheticChecksInVpc(fn: lambda.Function, network: SyntheticChecksNetwork): void {
  const stack = Stack.of(fn);
  const ec2Arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'ec2', resource, resourceName });
  const networkInterfaces = ec2Arn('network-interface', '*');

  (fn.node.defaultChild as lambda.CfnFunction).vpcConfig = {
    subnetIds: [...network.subnetIds],
    securityGroupIds: [...network.securityGroupIds],
  };
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ec2:CreateNetworkInterface'],
      resources: [
        networkInterfaces,
        ...network.subnetIds.map((id) => ec2Arn('subnet', id)),
        ...network.securityGroupIds.map((id) => ec2Arn('security-group', id)),
      ],
    }),
  );
  // The guide: name the interface to delete, "or include all resource IDs"; Lambda names its own.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: [networkInterfaces],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      resources: ['*'],
    }),
  );
}
