import { DescribeExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { isTransient } from '../../lambdas/shared/aws/call';
import { KEY_STATES, SHIFT_STATES } from '../../lambdas/shared/contract/states';
import { UsageError } from './io';
import { regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import { describeAwsError } from './command';
import { EXIT_CODES } from './exit-codes';
import { currentState, enteredState, eventsAfter, stepOf } from './history';
import type { Io } from './io';
import { duration, endingLines, requestOf } from './outcome';
import { reportOf, type DeploymentReport } from './report';

export const DEFAULT_INTERVAL_SECONDS = 10;
export const INTERVAL_BOUNDS = { min: 1, max: 300 };
/** CI systems kill a job that prints nothing for 10 minutes; a line a minute keeps a person informed too. */
export const PROGRESS_EVERY_SECONDS = 60;
/** --timeout: up to a day, longer than any execution's own timeout is pointless. */
export const TIMEOUT_BOUNDS = { min: 1, max: 48 * 3600 };
/**
 * A gate must not fail a deployment over a network blip or throttling that outlived the SDK's retries: a
 * few polls in a row may fail that way before watch gives up (the deployment itself goes on regardless).
 */
export const MAX_FAILED_POLLS_IN_A_ROW = 5;

export type Until = 'shifted' | 'finished';

export interface FollowOptions {
  intervalSeconds: number;
  /** `shifted`: stop once the new version serves all traffic (the rollback window has begun). */
  until: Until;
  /** Give up waiting (not the deployment) after this long: exit code still-running. */
  timeoutSeconds?: number;
}

export const FOLLOW_USAGE = `  --interval SECONDS        seconds between polls, ${INTERVAL_BOUNDS.min}–${INTERVAL_BOUNDS.max} (default: ${DEFAULT_INTERVAL_SECONDS}); a progress
                            line at least every ${PROGRESS_EVERY_SECONDS} s whatever the interval
  --until shifted|finished  stop following once traffic has shifted (the rollback window began), or at
                            the end (default: finished)
  --timeout SECONDS         stop following after this long, ${TIMEOUT_BOUNDS.min}–${TIMEOUT_BOUNDS.max}; the deployment goes on (exit
                            code ${EXIT_CODES['still-running']})`;

export function untilOption(value: string | undefined): Until {
  if (value === undefined || value === 'finished' || value === 'shifted') return value ?? 'finished';
  throw new UsageError(`--until takes shifted or finished, got "${value}"`);
}

/**
 * "12 of 60 minutes: …; window ends in 48 min": the detail of the wait's last check, when it has one (a
 * gradual shift's bake says when it ends).
 */
function progressText(
  detail: string | undefined,
  remainingSeconds: number | undefined,
  step: string | undefined,
): string {
  const what = step === SHIFT_STATES.bake ? 'bake' : 'window';
  const remaining =
    remainingSeconds === undefined ? '' : `; ${what} ends in ${Math.ceil(remainingSeconds / 60)} min`;
  return detail ? ` (${detail}${remaining})` : '';
}

/**
 * Polls until the execution ends, reaches `until`, or `timeoutSeconds` pass: DescribeExecution first, then
 * the history, so the last steps are printed before the outcome. Each step prints once however many times
 * its wait loops; while a step lasts, a progress line at least every minute.
 */
export async function follow(
  executionArn: string,
  io: Io,
  options: FollowOptions,
  print: (line: string) => void,
): Promise<DeploymentReport> {
  const client = stepFunctionsClient(regionOf(executionArn));
  const began = Date.now();
  let lastEventId = 0;
  let lastStep: string | undefined;
  let lastPrinted = Date.now();
  let failedPolls = 0;
  let announced = false;
  let shifted = false;
  const show = (line: string) => {
    print(line);
    lastPrinted = Date.now();
  };
  for (;;) {
    let execution: DescribeExecutionCommandOutput;
    try {
      execution = await client.send(new DescribeExecutionCommand({ executionArn }));
      const start = execution.startDate ?? new Date();
      if (!announced) {
        show(
          `Deployment ${execution.name} of ${requestOf(execution).amiId ?? 'an unknown AMI'}: ${executionArn}`,
        );
        announced = true;
      }
      for (const event of await eventsAfter(client, executionArn, lastEventId)) {
        lastEventId = Math.max(lastEventId, event.id ?? 0);
        const step = stepOf(enteredState(event) ?? '');
        if (!step || step === lastStep) continue;
        lastStep = step;
        if (step === KEY_STATES.window) shifted = true;
        // Shifted, then rolling back: no longer a shift a pipeline may pass on (the ending decides).
        if (step === KEY_STATES.rollback) shifted = false;
        show(`  +${duration(start, event.timestamp ?? new Date())}  ${step}`);
      }
      if (execution.status === 'RUNNING' && Date.now() - lastPrinted >= PROGRESS_EVERY_SECONDS * 1000) {
        const { detail, remainingSeconds } = await currentState(client, executionArn);
        show(
          `  +${duration(start, new Date())}  still: ${lastStep ?? 'starting'}${progressText(detail, remainingSeconds, lastStep)}`,
        );
      }
      failedPolls = 0;
    } catch (error) {
      if (!isTransient(error) || ++failedPolls >= MAX_FAILED_POLLS_IN_A_ROW) throw error;
      io.err(`note: could not read the execution (${describeAwsError(error)}); trying again`);
      await io.sleep(options.intervalSeconds * 1000);
      continue;
    }
    if (execution.status !== 'RUNNING') {
      for (const line of endingLines(execution)) print(line);
      return reportOf(client, executionArn, execution);
    }
    if (shifted && options.until === 'shifted') {
      print('Traffic has shifted: the new version serves all traffic; the rollback window goes on.');
      return {
        ...(await reportOf(client, executionArn, execution)),
        outcome: 'shifted',
        exitCode: EXIT_CODES.shifted,
      };
    }
    if (options.timeoutSeconds !== undefined && Date.now() - began >= options.timeoutSeconds * 1000) {
      print(
        `Stopped following after ${options.timeoutSeconds} s (--timeout); the deployment goes on. Follow it with: npm run ops -- watch --execution ${executionArn}`,
      );
      return reportOf(client, executionArn, execution);
    }
    // Wake in time for the next progress line even when the interval is longer than a minute, and for the
    // --timeout, which must not overshoot by an interval.
    const progressDue = PROGRESS_EVERY_SECONDS * 1000 - (Date.now() - lastPrinted);
    const timeoutDue =
      options.timeoutSeconds === undefined ? Infinity : options.timeoutSeconds * 1000 - (Date.now() - began);
    await io.sleep(Math.max(1000, Math.min(options.intervalSeconds * 1000, progressDue, timeoutDue)));
  }
}
