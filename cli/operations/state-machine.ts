import { exclusive, required } from './args';
import { accountIdOption, regionOption, stateMachineArnFor, stateMachineArnOption } from './arns';
import { readDeploymentNames } from './config-file';
import { UsageError } from './io';

/** The options that name the state machine, shared by deploy, status and watch. */
export const STATE_MACHINE_OPTIONS = {
  'state-machine-arn': { type: 'string' },
  config: { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
} as const;

export const STATE_MACHINE_USAGE = `The state machine, either way:
  --state-machine-arn ARN   the StateMachineArn output of the orchestrator stack
  --config FILE             the configuration file given to cdk deploy (names the state machine
    --region REGION         <applicationName>-blue-green-deployment in this Region
    --account-id ID         and this account)`;

export interface StateMachineValues {
  'state-machine-arn'?: string;
  config?: string;
  region?: string;
  'account-id'?: string;
}

const HOW = 'give --state-machine-arn ARN, or --config FILE with --region and --account-id';

/**
 * The state machine's ARN, given or built from the configuration. No call to STS or to the default chain
 * for the account and Region: the ARN a command acts on is always one the operator can read on the line.
 */
export function resolveStateMachineArn(values: StateMachineValues): string {
  const given = values['state-machine-arn'];
  if (given !== undefined) {
    exclusive({ '--state-machine-arn': given, '--config': values.config }, HOW);
    exclusive({ '--state-machine-arn': given, '--region': values.region }, HOW);
    exclusive({ '--state-machine-arn': given, '--account-id': values['account-id'] }, HOW);
    return stateMachineArnOption(given);
  }
  if (values.config === undefined) {
    if (values.region !== undefined || values['account-id'] !== undefined) {
      throw new UsageError(`--region and --account-id name the state machine together with --config: ${HOW}`);
    }
    throw new UsageError(`no state machine given: ${HOW}`);
  }
  const { applicationName } = readDeploymentNames(values.config);
  const why = 'with --config (they name the state machine, or give --state-machine-arn instead)';
  const region = regionOption(required(values.region, '--region', 'us-east-1', why));
  const accountId = accountIdOption(required(values['account-id'], '--account-id', '123456789012', why));
  return stateMachineArnFor(applicationName, region, accountId);
}
