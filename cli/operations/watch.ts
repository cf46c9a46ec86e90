import { parseOptions, wholeNumber } from './args';
import type { Command } from './command';
import { executionOption, type ExecutionRef } from './execution-option';
import { EXIT_TABLE_HINT } from './exit-table';
import {
  DEFAULT_INTERVAL_SECONDS,
  follow,
  FOLLOW_USAGE,
  INTERVAL_BOUNDS,
  TIMEOUT_BOUNDS,
  untilOption,
  type Until,
} from './follow';
import type { Io } from './io';
import { OUTPUT_OPTION, OUTPUT_USAGE, outputOption, printJson, type OutputFormat } from './output';
import { stateMachineOption } from './state-machine';

export { DEFAULT_INTERVAL_SECONDS, follow, INTERVAL_BOUNDS, MAX_FAILED_POLLS_IN_A_ROW } from './follow';

export interface WatchOptions {
  execution: ExecutionRef;
  intervalSeconds: number;
  until?: Until;
  timeoutSeconds?: number;
  output?: OutputFormat;
}

const USAGE = `Usage: npm run ops -- watch [--execution ARN|NAME|latest] [--interval SECONDS] [--until shifted|finished]
                             [--timeout SECONDS] [--output text|json] [state machine options]

Follows a deployment: prints each step as it is entered (time since the start, step name), a progress
line at least every minute, then how it ended. A pipeline gate: exit code 0 only when it succeeded.

${executionOption.usage}
${FOLLOW_USAGE}
${OUTPUT_USAGE}

${stateMachineOption.usage}

${EXIT_TABLE_HINT}`;

export const FOLLOW_OPTIONS = {
  interval: { type: 'string' },
  until: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export function parseFollowValues(values: { interval?: string; until?: string; timeout?: string }) {
  return {
    intervalSeconds: wholeNumber(values.interval, '--interval', INTERVAL_BOUNDS) ?? DEFAULT_INTERVAL_SECONDS,
    until: untilOption(values.until),
    timeoutSeconds: wholeNumber(values.timeout, '--timeout', TIMEOUT_BOUNDS),
  };
}

export function parseWatchOptions(argv: string[]): WatchOptions {
  const { interval, until, timeout, output, ...values } = parseOptions(argv, {
    ...executionOption.options,
    ...FOLLOW_OPTIONS,
    ...OUTPUT_OPTION,
  });
  return {
    execution: executionOption.parse(values),
    ...parseFollowValues({ interval, until, timeout }),
    output: outputOption(output),
  };
}

/**
 * Follows a deployment as far as `until` asks (deploy --wait, watch), its progress through `show`, and prints
 * its JSON report when asked: the exit code of where it stopped following.
 */
export async function followAndReport(
  executionArn: string,
  options: Omit<WatchOptions, 'execution'>,
  io: Io,
  show: (line: string) => void,
): Promise<number> {
  const { intervalSeconds, until, timeoutSeconds } = options;
  const report = await follow(
    executionArn,
    io,
    { intervalSeconds, until: until ?? 'finished', timeoutSeconds },
    show,
  );
  if (options.output === 'json') printJson(io, report);
  return report.exitCode;
}

export async function watch(options: WatchOptions, io: Io): Promise<number> {
  const executionArn = await executionOption.find(options.execution);
  const json = options.output === 'json';
  return followAndReport(executionArn, options, io, (line) => (json ? io.err(line) : io.out(line)));
}

export const watchCommand: Command<WatchOptions> = {
  name: 'watch',
  summary: 'follow a deployment step by step; exit code 0 only when it succeeded',
  usage: USAGE,
  parse: parseWatchOptions,
  run: watch,
};
