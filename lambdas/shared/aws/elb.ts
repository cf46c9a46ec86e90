import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { callAws } from './call';

export const elb = new ElasticLoadBalancingV2Client({});

export type TargetState = TargetHealthStateEnum | 'unknown';

/**
 * Health of every target registered in the group, by instance id. DescribeTargetHealth does not paginate,
 * so one call answers for any fleet size; asking for the whole group keeps the request constant-size.
 */
export async function targetHealth(targetGroupArn: string): Promise<Map<string, TargetState>> {
  const response = await callAws('DescribeTargetHealth', () =>
    elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
  );
  const health = new Map<string, TargetState>();
  for (const description of response.TargetHealthDescriptions ?? []) {
    const id = description.Target?.Id;
    if (id) health.set(id, description.TargetHealth?.State ?? 'unknown');
  }
  return health;
}

/** "name" from "arn:…:targetgroup/name/id", for messages an operator reads. */
export function targetGroupName(arn: string): string {
  return arn.split('/')[1] ?? arn;
}
