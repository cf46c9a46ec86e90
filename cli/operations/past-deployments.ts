import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { parseOptions, wholeNumber } from './args';
import { regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import type { Command } from './command';
import { EXIT, type Io } from './io';
import { duration } from './outcome';
import { OUTPUT_OPTION, OUTPUT_USAGE, outputOption, printJson, type OutputFormat } from './output';
import { deploymentReport, type DeploymentReport } from './report';
import { stateMachineOption, type StateMachineRef } from './state-machine';

export interface HistoryOptions {
  stateMachine: StateMachineRef;
  limit: number;
  output?: OutputFormat;
}

const LIMIT = { min: 1, max: 100, default: 10 };

const USAGE = `Usage: npm run ops -- history [--limit N] [--output text|json] [state machine options]

Lists past deployments, newest first: name, outcome, AMI, start and duration.

  --limit N                 how many, ${LIMIT.min}–${LIMIT.max} (default: ${LIMIT.default})
${OUTPUT_USAGE}

${stateMachineOption.usage}

Exit code 0 when the list was read; 1 when it could not be; 2 on a usage error.`;

export const historyCommand: Command<HistoryOptions> = {
  name: 'history',
  summary: 'past deployments, newest first: outcome, AMI, duration',
  usage: USAGE,
  parse: parseHistoryOptions,
  run: history,
};

export function parseHistoryOptions(argv: string[]): HistoryOptions {
  const { limit, output, ...values } = parseOptions(argv, {
    ...stateMachineOption.options,
    ...OUTPUT_OPTION,
    limit: { type: 'string' },
  });
  return {
    stateMachine: stateMachineOption.parse(values),
    limit: wholeNumber(limit, '--limit', LIMIT) ?? LIMIT.default,
    output: outputOption(output),
  };
}

function row(report: DeploymentReport): string {
  const started = report.startedAt ?? '';
  const took =
    report.durationSeconds === null
      ? ''
      : duration(new Date(0), new Date(report.durationSeconds * 1000)) + (report.stoppedAt ? '' : ' so far');
  return [
    (report.execution.name ?? '').padEnd(28),
    report.outcome.padEnd(21),
    (report.amiId ?? 'unknown').padEnd(22),
    started.padEnd(25),
    took,
  ].join(' ');
}

export async function history(options: HistoryOptions, io: Io): Promise<number> {
  const stateMachineArn = await stateMachineOption.arnOf(options.stateMachine);
  const client = stepFunctionsClient(regionOf(stateMachineArn));
  // ListExecutions lists newest first; each deployment's outcome and AMI need its own description.
  const page = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: options.limit }));
  const reports: DeploymentReport[] = [];
  for (const { executionArn } of page.executions ?? []) {
    if (executionArn) reports.push(await deploymentReport(client, executionArn));
  }
  if (options.output === 'json') {
    printJson(io, { stateMachineArn, deployments: reports });
    return EXIT.ok;
  }
  if (reports.length === 0) {
    io.err(`No deployment has run on ${stateMachineArn} yet.`);
    return EXIT.ok;
  }
  io.out(
    ['DEPLOYMENT'.padEnd(28), 'OUTCOME'.padEnd(21), 'AMI'.padEnd(22), 'STARTED'.padEnd(25), 'DURATION'].join(
      ' ',
    ),
  );
  for (const report of reports) io.out(row(report));
  return EXIT.ok;
}
