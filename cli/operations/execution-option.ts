import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { executionArnFor } from '../../lambdas/shared/contract';
import { executionArnOption, regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import { OperationError, UsageError } from './io';
import {
  parseStateMachineRef,
  STATE_MACHINE_OPTIONS,
  stateMachineArnOf,
  type StateMachineRef,
  type StateMachineValues,
} from './state-machine';

/** `--execution ARN`, `--execution NAME` or `--execution latest` (of the state machine named otherwise). */
export const EXECUTION_OPTIONS = {
  execution: { type: 'string', default: 'latest' },
  ...STATE_MACHINE_OPTIONS,
} as const;

export const EXECUTION_USAGE = `  --execution ARN|NAME|latest
                            the execution: its ARN; its name (--name of deploy) on the state machine
                            named below; or latest (default), the newest execution of that state machine
                            (ListExecutions lags a few seconds behind a start: a script passes the ARN
                            or the name it deployed with)`;

/** The names deploy --name gives (a subset of what StartExecution allows). */
export const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

const EXAMPLE_EXECUTION_ARN =
  'arn:aws:states:us-east-1:123456789012:execution:webapp-blue-green-deployment:NAME';

export type ExecutionRef =
  { executionArn: string } | { latestOf: string } | { stateMachine: StateMachineRef; name?: string };

export function parseExecutionRef(values: StateMachineValues & { execution: string }): ExecutionRef {
  const { execution } = values;
  if (execution.startsWith('arn:')) {
    const named = Object.entries(values).filter(([key, value]) => key !== 'execution' && value !== undefined);
    if (named.length > 0) {
      throw new UsageError(
        `--${named[0][0]} names the state machine for --execution latest or NAME; an execution ARN needs nothing else`,
      );
    }
    return { executionArn: executionArnOption(execution) };
  }
  if (execution !== 'latest' && !EXECUTION_NAME.test(execution)) {
    throw new UsageError(
      `--execution takes an execution ARN, an execution name (1–80 letters, digits, - or _) or latest, got "${execution}"`,
    );
  }
  const named = [values['state-machine-arn'], values.config].some((value) => value !== undefined);
  if (execution !== 'latest' && !named) {
    throw new UsageError(
      `--execution must be "latest" or an execution ARN like ${EXAMPLE_EXECUTION_ARN}, or an execution name with --state-machine-arn or --config, got "${execution}"`,
    );
  }
  const stateMachine = parseStateMachineRef(values);
  if (execution === 'latest' && stateMachine.stateMachineArn !== undefined) {
    return { latestOf: stateMachine.stateMachineArn };
  }
  return { stateMachine, ...(execution !== 'latest' && { name: execution }) };
}

/** The execution's ARN: the one given, the one named, or the newest execution of the state machine. */
export async function findExecution(ref: ExecutionRef): Promise<string> {
  if ('executionArn' in ref) return ref.executionArn;
  const stateMachineArn = 'latestOf' in ref ? ref.latestOf : await stateMachineArnOf(ref.stateMachine);
  if ('name' in ref && ref.name !== undefined) return executionArnFor(stateMachineArn, ref.name);
  const client = stepFunctionsClient(regionOf(stateMachineArn));
  // ListExecutions lists newest first.
  const page = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1 }));
  const latest = page.executions?.[0]?.executionArn;
  if (!latest) throw new OperationError(`No deployment has run on ${stateMachineArn} yet.`);
  return latest;
}

/** The option group as a command uses it: its options and usage text, parsing, and the ARN at run time. */
export const executionOption = {
  options: EXECUTION_OPTIONS,
  usage: EXECUTION_USAGE,
  parse: parseExecutionRef,
  find: findExecution,
} as const;
