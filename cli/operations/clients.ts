import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SFNClient } from '@aws-sdk/client-sfn';

/**
 * SDK clients, created once per Region and process, with the default credential chain. The Region is the
 * one an ARN names when the command has one (a call about a resource must go to its Region, whatever
 * AWS_REGION says), else --region, else the default chain's (AWS_REGION, the profile).
 */
const sfn = new Map<string, SFNClient>();
const autoScaling = new Map<string, AutoScalingClient>();
const DEFAULT = '';

export function stepFunctionsClient(region?: string): SFNClient {
  const key = region ?? DEFAULT;
  let client = sfn.get(key);
  if (!client) sfn.set(key, (client = new SFNClient(region ? { region } : {})));
  return client;
}

export function autoScalingClient(region?: string): AutoScalingClient {
  const key = region ?? DEFAULT;
  let client = autoScaling.get(key);
  if (!client) autoScaling.set(key, (client = new AutoScalingClient(region ? { region } : {})));
  return client;
}

const cloudFormation = new Map<string, CloudFormationClient>();

export function cloudFormationClient(region?: string): CloudFormationClient {
  const key = region ?? DEFAULT;
  let client = cloudFormation.get(key);
  if (!client) cloudFormation.set(key, (client = new CloudFormationClient(region ? { region } : {})));
  return client;
}

const loadBalancing = new Map<string, ElasticLoadBalancingV2Client>();

export function loadBalancingClient(region?: string): ElasticLoadBalancingV2Client {
  const key = region ?? DEFAULT;
  let client = loadBalancing.get(key);
  if (!client) loadBalancing.set(key, (client = new ElasticLoadBalancingV2Client(region ? { region } : {})));
  return client;
}
