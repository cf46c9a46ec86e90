import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormationClient } from './clients';
import { OperationError } from './io';

/** The orchestrator stack's output (infra/app-builder.ts) with this key, exported as `<stack>-StateMachineArn`. */
export const STATE_MACHINE_OUTPUT_KEY = 'StateMachineArn';

/** The orchestrator's stack, named by the configuration file's `stackName`. */
export interface StackRef {
  stackName: string;
  /** Where the stack is; default: the default chain's Region. */
  region?: string;
  /** The configuration file that named it, for the messages. */
  file: string;
}

/** The state machine's ARN from the stack's outputs (DescribeStacks): nothing to copy from the console. */
export async function stateMachineFromStack(stack: StackRef): Promise<string> {
  const where = stack.region ? ` in ${stack.region}` : ' in the default Region';
  let outputs;
  try {
    const { Stacks } = await cloudFormationClient(stack.region).send(
      new DescribeStacksCommand({ StackName: stack.stackName }),
    );
    outputs = Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    // CloudFormation answers a missing stack with ValidationError "Stack with id … does not exist".
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      throw new OperationError(
        `No stack ${stack.stackName}${where} (the stackName of ${stack.file}): deploy it (npx cdk deploy -c config=${stack.file}), pass --region, or give --state-machine-arn.`,
      );
    }
    throw error;
  }
  const arn = outputs.find((output) => output.OutputKey === STATE_MACHINE_OUTPUT_KEY)?.OutputValue;
  if (!arn) {
    throw new OperationError(
      `Stack ${stack.stackName}${where} has no ${STATE_MACHINE_OUTPUT_KEY} output: deploy this version of the orchestrator (npx cdk deploy -c config=${stack.file}), or give --state-machine-arn.`,
    );
  }
  return arn;
}
