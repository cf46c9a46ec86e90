import { loadConfig } from '../../infra/config';
import { exclusive } from './args';
import { accountIdOption, regionOption, stateMachineArnFor, stateMachineArnOption } from './arns';
import { checkTargetGroupsWhere, readDeploymentNames } from './config-file';
import { UsageError } from './io';
import { stateMachineFromStack, type StackRef } from './stack-outputs';

/** The options that name the state machine, shared by deploy, status, watch and history. */
export const STATE_MACHINE_OPTIONS = {
  'state-machine-arn': { type: 'string' },
  config: { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
} as const;

export const STATE_MACHINE_USAGE = `The state machine, one of:
  --state-machine-arn ARN   the StateMachineArn output of the orchestrator stack
  --config FILE             the configuration file given to cdk deploy: the StateMachineArn output of
    [--region REGION]       its stack (stackName), read with DescribeStacks (default Region otherwise)
  --config FILE --region REGION --account-id ID
                            <applicationName>-blue-green-deployment in this Region and account,
                            built without any call`;

export interface StateMachineValues {
  'state-machine-arn'?: string;
  config?: string;
  region?: string;
  'account-id'?: string;
}

/** An ARN given or built from the command line, or the stack whose output holds it. */
export interface StateMachineRef {
  stateMachineArn?: string;
  stack?: StackRef;
}

const HOW =
  "give --state-machine-arn ARN, or --config FILE with --region and --account-id (or --config FILE alone: its stack's StateMachineArn output)";
const DEFAULT_STACK_NAME = 'BlueGreenOrchestrator';

/** Validates the options; reading the stack's outputs waits for `stateMachineArnOf`, at run time. */
export function parseStateMachineRef(values: StateMachineValues): StateMachineRef {
  const given = values['state-machine-arn'];
  if (given !== undefined) {
    exclusive({ '--state-machine-arn': given, '--config': values.config }, HOW);
    exclusive({ '--state-machine-arn': given, '--region': values.region }, HOW);
    exclusive({ '--state-machine-arn': given, '--account-id': values['account-id'] }, HOW);
    return { stateMachineArn: stateMachineArnOption(given) };
  }
  if (values.config === undefined) {
    if (values.region !== undefined || values['account-id'] !== undefined) {
      throw new UsageError(`--region and --account-id name the state machine together with --config: ${HOW}`);
    }
    throw new UsageError(`no state machine given: ${HOW}`);
  }
  const names = readDeploymentNames(values.config);
  const region = values.region === undefined ? undefined : regionOption(values.region);
  if (values['account-id'] !== undefined) {
    if (region === undefined) {
      throw new UsageError(
        '--account-id builds the ARN with --region: add --region REGION, or drop --account-id to read the stack outputs',
      );
    }
    const account = accountIdOption(values['account-id']);
    checkTargetGroupsWhere(values.config, names, { region, account });
    return { stateMachineArn: stateMachineArnFor(names.applicationName, region, account) };
  }
  checkTargetGroupsWhere(values.config, names, { region });
  const stackName = loadConfig(values.config).stackName ?? DEFAULT_STACK_NAME;
  return { stack: { stackName, region, file: values.config } };
}

/** The state machine's ARN: as given or built, else the stack's StateMachineArn output. */
export async function stateMachineArnOf(ref: StateMachineRef): Promise<string> {
  if (ref.stateMachineArn !== undefined) return ref.stateMachineArn;
  if (ref.stack === undefined) throw new UsageError(`no state machine given: ${HOW}`);
  return stateMachineFromStack(ref.stack);
}

/** The option group as a command uses it: its options and usage text, parsing, and the ARN at run time. */
export const stateMachineOption = {
  options: STATE_MACHINE_OPTIONS,
  usage: STATE_MACHINE_USAGE,
  parse: parseStateMachineRef,
  arnOf: stateMachineArnOf,
} as const;
