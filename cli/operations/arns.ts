import { matching } from './args';

/** Names of state machines and executions: no whitespace and no ":" (which separates the ARN's parts). */
const NAME = '[^\\s:]{1,80}';
const STATE_MACHINE_ARN = new RegExp(`^arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}:stateMachine:${NAME}$`);
const EXECUTION_ARN = new RegExp(`^arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}:execution:${NAME}:${NAME}$`);
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;

const EXAMPLE = {
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-blue-green-deployment',
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:webapp-blue-green-deployment:NAME',
};

export function stateMachineArnOption(value: string, option = '--state-machine-arn'): string {
  return matching(value, option, STATE_MACHINE_ARN, `a state machine ARN like ${EXAMPLE.stateMachineArn}`);
}

export function executionArnOption(value: string, option = '--execution'): string {
  return matching(value, option, EXECUTION_ARN, `"latest" or an execution ARN like ${EXAMPLE.executionArn}`);
}

export function regionOption(value: string, option = '--region'): string {
  return matching(value, option, REGION, 'an AWS Region like us-east-1');
}

export function accountIdOption(value: string, option = '--account-id'): string {
  return matching(value, option, ACCOUNT_ID, 'a 12-digit AWS account id like 123456789012');
}

/** The Region an ARN names: calls about that resource must go there, whatever the default Region is. */
export function regionOf(arn: string): string {
  return arn.split(':')[3];
}

/** The partition of a Region: ARNs in China and GovCloud do not start with "arn:aws:". */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The name the construct gives the state machine (infra/blue-green-deployment.ts). */
export function stateMachineArnFor(applicationName: string, region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:states:${region}:${accountId}:stateMachine:${applicationName}-blue-green-deployment`;
}
