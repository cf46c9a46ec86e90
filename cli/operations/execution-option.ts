import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { executionArnOption, regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import { OperationError, UsageError } from './io';
import { resolveStateMachineArn, STATE_MACHINE_OPTIONS, type StateMachineValues } from './state-machine';

/** `--execution ARN` or `--execution latest` (the newest execution of the state machine named otherwise). */
export const EXECUTION_OPTIONS = {
  execution: { type: 'string', default: 'latest' },
  ...STATE_MACHINE_OPTIONS,
} as const;

export const EXECUTION_USAGE = `  --execution ARN|latest    the execution (default: latest, the newest execution of the state machine
                            named by the options below; ListExecutions lags a few seconds behind a
                            start, so a script passes the ARN that deploy printed)`;

export type ExecutionRef = { executionArn: string } | { latestOf: string };

export function parseExecutionRef(values: StateMachineValues & { execution: string }): ExecutionRef {
  if (values.execution !== 'latest') {
    const named = Object.entries(values).filter(([key, value]) => key !== 'execution' && value !== undefined);
    if (named.length > 0) {
      throw new UsageError(
        `--${named[0][0]} names the state machine for --execution latest; an execution ARN needs nothing else`,
      );
    }
    return { executionArn: executionArnOption(values.execution) };
  }
  return { latestOf: resolveStateMachineArn(values) };
}

/** The execution's ARN: the one given, or the newest execution of the state machine (running or not). */
export async function findExecution(ref: ExecutionRef): Promise<string> {
  if ('executionArn' in ref) return ref.executionArn;
  const client = stepFunctionsClient(regionOf(ref.latestOf));
  // ListExecutions lists newest first.
  const page = await client.send(new ListExecutionsCommand({ stateMachineArn: ref.latestOf, maxResults: 1 }));
  const latest = page.executions?.[0]?.executionArn;
  if (!latest) throw new OperationError(`No deployment has run on ${ref.latestOf} yet.`);
  return latest;
}
