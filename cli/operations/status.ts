import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { SHIFT_STATES } from '../../lambdas/shared/contract/states';
import { parseOptions } from './args';
import { regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import type { Command } from './command';
import { executionOption, type ExecutionRef } from './execution-option';
import { currentState, stepOf } from './history';
import { EXIT, type Io } from './io';
import { duration, endingLines, labelled, requestOf } from './outcome';
import { OUTPUT_OPTION, OUTPUT_USAGE, outputOption, printJson, type OutputFormat } from './output';
import { reportOf } from './report';
import { stateMachineOption } from './state-machine';

export interface StatusOptions {
  execution: ExecutionRef;
  output?: OutputFormat;
}

const USAGE = `Usage: npm run ops -- status [--execution ARN|NAME|latest] [--output text|json] [state machine options]

Says where a deployment is: its status, AMI and current step (with the rollback window's progress
during the window), or how it ended and why.

${executionOption.usage}
${OUTPUT_USAGE}

${stateMachineOption.usage}

Exit code 0 when the status was read, whatever it is; 1 when it could not be read; 2 on a usage error.`;

export const statusCommand: Command<StatusOptions> = {
  name: 'status',
  summary: 'where a deployment is, or how it ended and why',
  usage: USAGE,
  parse: parseStatusOptions,
  run: status,
};

export function parseStatusOptions(argv: string[]): StatusOptions {
  const { output, ...values } = parseOptions(argv, { ...executionOption.options, ...OUTPUT_OPTION });
  return { execution: executionOption.parse(values), output: outputOption(output) };
}

export async function status(options: StatusOptions, io: Io): Promise<number> {
  const executionArn = await executionOption.find(options.execution);
  const client = stepFunctionsClient(regionOf(executionArn));
  const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
  const { state, detail, remainingSeconds } = await currentState(client, executionArn);
  const request = requestOf(execution);
  const window = request.windowMinutes === undefined ? '' : ` (rollback window ${request.windowMinutes} min)`;
  const step = state === undefined ? 'none yet' : (stepOf(state) ?? state);
  const started = execution.startDate ?? new Date();

  if (options.output === 'json') {
    // The deployment's own outcome is in the report; the command's exit code says the status was read.
    const report = await reportOf(client, executionArn, execution);
    printJson(io, {
      ...report,
      exitCode: EXIT.ok,
      outcomeExitCode: report.exitCode,
      step,
      progress: detail ?? null,
      // A gradual shift's bakes are the window's monitor too: their remaining time is the bake's.
      windowRemainingSeconds: step === SHIFT_STATES.bake ? null : (remainingSeconds ?? null),
      bakeRemainingSeconds: step === SHIFT_STATES.bake ? (remainingSeconds ?? null) : null,
    });
    return EXIT.ok;
  }
  io.out(labelled('Deployment', execution.name ?? executionArn));
  io.out(labelled('Execution', executionArn));
  io.out(labelled('AMI', `${request.amiId ?? 'unknown'}${window}`));
  if (execution.status === 'RUNNING') {
    io.out(
      labelled('Status', `RUNNING for ${duration(started, new Date())}, since ${started.toISOString()}`),
    );
    io.out(labelled('Step', step));
    if (detail) io.out(labelled('Progress', detail));
  } else {
    for (const line of endingLines(execution)) io.out(line);
    io.out(labelled('Last step', step));
  }
  return EXIT.ok;
}
