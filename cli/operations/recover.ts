import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { stateMachineArnOfExecution } from '../../lambdas/shared/contract';
import { parseOptions } from './args';
import { regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import type { Command } from './command';
import {
  EXECUTION_OPTIONS,
  EXECUTION_USAGE,
  findExecution,
  parseExecutionRef,
  type ExecutionRef,
} from './execution-option';
import { EXIT_TABLE_HINT } from './exit-table';
import { FOLLOW_USAGE, type Until } from './follow';
import { OperationError, UsageError, type Io } from './io';
import { OUTPUT_OPTION, OUTPUT_USAGE, outputOption, type OutputFormat } from './output';
import { stateMachineOption } from './state-machine';
import { reportStarted } from './started';
import { FOLLOW_OPTIONS, parseFollowValues } from './watch';

export interface RecoverOptions {
  execution: ExecutionRef;
  wait: boolean;
  intervalSeconds: number;
  until?: Until;
  timeoutSeconds?: number;
  output?: OutputFormat;
}

const USAGE = `Usage: npm run ops -- recover [--execution ARN|NAME|latest] [--wait [--interval SECONDS]
                               [--timeout SECONDS]] [--output text|json] [state machine options]

Brings the account back to a consistent state after a deployment that was stopped, timed out or failed
outside its own clean-up (docs/recovery.md): starts the state machine with
{"recoverFrom": <execution ARN>, "trigger": "recovery"}, which resumes the abort, rollback or finish the
execution needed, from where it ended, or ends with nothing to recover. The same happens on its own after
a stop, a timeout or a failure (recoverStoppedDeployments); this command is for a failed recovery (once its
cause is fixed), for recoverStoppedDeployments: false, or to be sure.

${EXECUTION_USAGE}
  --wait                    follow the recovery (progress on standard error)
${FOLLOW_USAGE}
${OUTPUT_USAGE}

${stateMachineOption.usage}

Refused, with nothing started, when the execution still runs. ${EXIT_TABLE_HINT} Without --wait: 0 when
the recovery started.`;

export function parseRecoverOptions(argv: string[]): RecoverOptions {
  const { wait, interval, until, timeout, output, ...values } = parseOptions(argv, {
    ...EXECUTION_OPTIONS,
    wait: { type: 'boolean', default: false },
    ...FOLLOW_OPTIONS,
    ...OUTPUT_OPTION,
  });
  for (const [option, value] of Object.entries({ interval, until, timeout })) {
    if (value !== undefined && !wait) {
      throw new UsageError(`--${option} tells --wait how to follow: add --wait, or drop --${option}`);
    }
  }
  return {
    execution: parseExecutionRef(values),
    wait,
    ...parseFollowValues({ interval, until, timeout }),
    output: outputOption(output),
  };
}

export async function recover(options: RecoverOptions, io: Io): Promise<number> {
  const recoverFrom = await findExecution(options.execution);
  const client = stepFunctionsClient(regionOf(recoverFrom));
  const described = await client.send(new DescribeExecutionCommand({ executionArn: recoverFrom }));
  if (described.status === 'RUNNING' || described.status === 'PENDING_REDRIVE') {
    throw new OperationError(
      `${described.name ?? recoverFrom} is still running: it owns the account. Nothing was started. To stop it, npm run ops -- abort (its own clean-up runs), or aws stepfunctions stop-execution --execution-arn ${recoverFrom} (a recovery then starts on its own).`,
    );
  }
  const { executionArn } = await client.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArnOfExecution(recoverFrom),
      input: JSON.stringify({ recoverFrom, trigger: 'recovery' }),
    }),
  );
  if (!executionArn) throw new Error('StartExecution returned no execution ARN');
  return reportStarted(
    executionArn,
    options,
    io,
    `Started the recovery of ${described.name ?? recoverFrom} (${described.status}).`,
  );
}

export const recoverCommand: Command<RecoverOptions> = {
  name: 'recover',
  summary: 'bring the account back after a stopped, timed-out or failed deployment',
  usage: USAGE,
  parse: parseRecoverOptions,
  run: recover,
};
