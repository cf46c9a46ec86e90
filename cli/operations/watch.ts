import { DescribeExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { isTransient } from '../../lambdas/shared/aws/call';
import { parseOptions, wholeNumber } from './args';
import { regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import { describeAwsError, type Command } from './command';
import {
  EXECUTION_OPTIONS,
  EXECUTION_USAGE,
  findExecution,
  parseExecutionRef,
  type ExecutionRef,
} from './execution-option';
import { enteredState, eventsAfter, stepOf } from './history';
import { EXIT, type Io } from './io';
import { duration, endingLines, requestOf } from './outcome';
import { STATE_MACHINE_USAGE } from './state-machine';

export const DEFAULT_INTERVAL_SECONDS = 10;
export const INTERVAL_BOUNDS = { min: 1, max: 300 };
/**
 * A gate must not fail a deployment over a network blip or throttling that outlived the SDK's retries: a
 * few polls in a row may fail that way before watch gives up (the deployment itself goes on regardless).
 */
export const MAX_FAILED_POLLS_IN_A_ROW = 5;

export interface WatchOptions {
  execution: ExecutionRef;
  intervalSeconds: number;
}

const USAGE = `Usage: npm run ops -- watch [--execution ARN | latest] [--interval SECONDS] [state machine options]

Follows a deployment: prints each step as it is entered (time since the start, step name), then how it
ended. A pipeline gate: exit code 0 only when the deployment succeeded.

${EXECUTION_USAGE}
  --interval SECONDS        seconds between polls, ${INTERVAL_BOUNDS.min}–${INTERVAL_BOUNDS.max} (default: ${DEFAULT_INTERVAL_SECONDS})

${STATE_MACHINE_USAGE}

Exit code 0 when the execution SUCCEEDED (a skipped AMI included); 1 when it ended otherwise (rejected,
aborted, rolled back, stopped, timed out) or could not be read; 2 on a usage error.`;

export function parseWatchOptions(argv: string[]): WatchOptions {
  const { interval, ...values } = parseOptions(argv, { ...EXECUTION_OPTIONS, interval: { type: 'string' } });
  return {
    execution: parseExecutionRef(values),
    intervalSeconds: wholeNumber(interval, '--interval', INTERVAL_BOUNDS) ?? DEFAULT_INTERVAL_SECONDS,
  };
}

export async function watch(options: WatchOptions, io: Io): Promise<number> {
  const executionArn = await findExecution(options.execution);
  return follow(executionArn, io, options.intervalSeconds, (line) => io.out(line));
}

/**
 * Polls until the execution ends: DescribeExecution first, then the history, so the last steps are
 * printed before the outcome. Each step prints once however many times its wait loops.
 */
export async function follow(
  executionArn: string,
  io: Io,
  intervalSeconds: number,
  print: (line: string) => void,
): Promise<number> {
  const client = stepFunctionsClient(regionOf(executionArn));
  let lastEventId = 0;
  let lastStep: string | undefined;
  let failedPolls = 0;
  let announced = false;
  for (;;) {
    let execution: DescribeExecutionCommandOutput;
    try {
      execution = await client.send(new DescribeExecutionCommand({ executionArn }));
      if (!announced) {
        print(
          `Deployment ${execution.name} of ${requestOf(execution).amiId ?? 'an unknown AMI'}: ${executionArn}`,
        );
        announced = true;
      }
      for (const event of await eventsAfter(client, executionArn, lastEventId)) {
        lastEventId = Math.max(lastEventId, event.id ?? 0);
        const step = stepOf(enteredState(event) ?? '');
        if (!step || step === lastStep) continue;
        lastStep = step;
        print(`  +${duration(execution.startDate ?? new Date(), event.timestamp ?? new Date())}  ${step}`);
      }
      failedPolls = 0;
    } catch (error) {
      if (!isTransient(error) || ++failedPolls >= MAX_FAILED_POLLS_IN_A_ROW) throw error;
      io.err(`note: could not read the execution (${describeAwsError(error)}); trying again`);
      await io.sleep(intervalSeconds * 1000);
      continue;
    }
    if (execution.status !== 'RUNNING') {
      for (const line of endingLines(execution)) print(line);
      return execution.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed;
    }
    await io.sleep(intervalSeconds * 1000);
  }
}

export const watchCommand: Command<WatchOptions> = {
  name: 'watch',
  summary: 'follow a deployment step by step; exit code 0 only when it succeeded',
  usage: USAGE,
  parse: parseWatchOptions,
  run: watch,
};
