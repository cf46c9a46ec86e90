import { regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import { EXIT, type Io } from './io';
import { printJson } from './output';
import { deploymentReport } from './report';
import { followAndReport, type WatchOptions } from './watch';

/**
 * What a command that started an execution (deploy, recover) prints: without `--wait`, its ARN (or, with
 * `--output json`, its report, the exit code saying it started) and how to follow it; with `--wait`, the
 * ARN, then the execution followed to its end, the exit code its outcome's.
 */
export async function reportStarted(
  executionArn: string,
  options: Omit<WatchOptions, 'execution'> & { wait: boolean },
  io: Io,
  started: string,
): Promise<number> {
  const json = options.output === 'json';
  if (!options.wait) {
    if (json) {
      const report = await deploymentReport(stepFunctionsClient(regionOf(executionArn)), executionArn);
      printJson(io, { ...report, exitCode: EXIT.ok });
    } else io.out(executionArn);
    io.err(`${started} Follow it with:`);
    io.err(`  npm run ops -- watch --execution ${executionArn}`);
    return EXIT.ok;
  }
  if (!json) io.out(executionArn);
  return followAndReport(executionArn, options, io, (line) => io.err(line));
}
