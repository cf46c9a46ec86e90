import { OPERATOR_REQUEST_TAG } from '../../lambdas/shared/contract';
import { KEEP_CHECK_INTERVAL_SECONDS, MAX_ROLLBACK_WINDOW_MINUTES } from '../../lambdas/shared/settings';
import { parseOptions, wholeNumber } from './args';
import { regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import type { Command } from './command';
import { deploy, type DeployOptions } from './deploy';
import { EXIT_TABLE_HINT } from './exit-table';
import { FOLLOW_USAGE } from './follow';
import { requestOfKeep } from './kept-fleet';
import { EXIT, UsageError, type Io } from './io';
import { OUTPUT_OPTION, OUTPUT_USAGE, outputOption, printJson } from './output';
import { stateMachineOption } from './state-machine';
import { planUndo, type FastUndo } from './undo-plan';
import { FOLLOW_OPTIONS, followAndReport, parseFollowValues } from './watch';

export type UndoOptions = Omit<DeployOptions, 'amiId' | 'name'>;

const USAGE = `Usage: npm run ops -- undo [--window-minutes M] [--wait [--interval SECONDS] [--until shifted|finished]
                            [--timeout SECONDS]] [--output text|json] [state machine options]

Undoes the latest successful deployment: starts a deployment of the AMI it replaced (recorded in its
report as previousAmiId), the explicit path a pipeline takes, which may deploy an older release. It says on
standard error what it deploys and why, then behaves as deploy does.
While a deployment keeps its old fleet in Standby (keepOldFleetMinutes), the undo is instant instead: it
tags the new group ${OPERATOR_REQUEST_TAG}=undo and the kept fleet serves again, no instance launched
(the deployment ends rolled back; --wait follows it).
Refused, with nothing started, when another deployment is running, when no successful deployment is on
record (or it was a first deployment), and when the previous AMI is deregistered or disabled.

  --window-minutes M        rollback window of the undo, 0–${MAX_ROLLBACK_WINDOW_MINUTES} (default: the configuration's)
  --wait                    follow the undo (progress on standard error)
${FOLLOW_USAGE}
${OUTPUT_USAGE}

${stateMachineOption.usage}

${EXIT_TABLE_HINT} Without --wait: 0 when it started; 1 when refused.`;

export function parseUndoOptions(argv: string[]): UndoOptions {
  const values = parseOptions(argv, {
    'window-minutes': { type: 'string' },
    wait: { type: 'boolean', default: false },
    ...FOLLOW_OPTIONS,
    ...OUTPUT_OPTION,
    ...stateMachineOption.options,
  });
  for (const option of ['interval', 'until', 'timeout'] as const) {
    if (values[option] !== undefined && !values.wait) {
      throw new UsageError(`--${option} tells --wait how to follow: add --wait, or drop --${option}`);
    }
  }
  return {
    windowMinutes: wholeNumber(values['window-minutes'], '--window-minutes', {
      min: 0,
      max: MAX_ROLLBACK_WINDOW_MINUTES,
    }),
    ...stateMachineOption.parse(values),
    wait: values.wait,
    ...parseFollowValues(values),
    output: outputOption(values.output),
  };
}

export async function undo(options: UndoOptions, io: Io): Promise<number> {
  const stateMachineArn = await stateMachineOption.arnOf(options);
  const plan = await planUndo(stepFunctionsClient(regionOf(stateMachineArn)), stateMachineArn);
  if (plan.kind === 'fast') return undoKeptFleet(plan, options, io);
  const { undoes } = plan;
  io.err(
    `Undo: deploying ${plan.amiId}, the AMI that served before ${undoes.name ?? undoes.executionArn} ` +
      `deployed ${undoes.amiId ?? 'its AMI'}${undoes.stoppedAt ? ` (succeeded ${undoes.stoppedAt})` : ''}.`,
  );
  // The deploy command's own path: an explicit request, which the release order does not hold back.
  return deploy({ ...options, stateMachineArn, stack: undefined, amiId: plan.amiId }, io);
}

/**
 * The running deployment keeps its old fleet in Standby: tag its new group `undo`, which the keep's next
 * check reads; the deployment then rolls back, the kept fleet serving again before the new group leaves.
 */
async function undoKeptFleet(plan: FastUndo, options: UndoOptions, io: Io): Promise<number> {
  await requestOfKeep(plan, 'undo');
  io.err(
    `Undo: ${plan.name ?? plan.executionArn} keeps the old fleet ${plan.keptGroup} in Standby: tagged ` +
      `${plan.newGroup} with ${OPERATOR_REQUEST_TAG}=undo. At the keep's next check (within ` +
      `${KEEP_CHECK_INTERVAL_SECONDS} s) ${plan.keptGroup} serves again, no instance launched, then ` +
      `${plan.newGroup} is detached and scaled to zero; the deployment ends rolled back.`,
  );
  if (options.wait) {
    if (options.output !== 'json') io.out(plan.executionArn);
    return followAndReport(plan.executionArn, options, io, (line) => io.err(line));
  }
  const result = {
    outcome: 'succeeded',
    exitCode: EXIT.ok,
    undo: 'kept-fleet',
    execution: { arn: plan.executionArn, name: plan.name },
    newGroup: plan.newGroup,
    keptGroup: plan.keptGroup,
  };
  if (options.output === 'json') printJson(io, result);
  else io.out(plan.executionArn);
  io.err(`Follow it with: npm run ops -- watch --execution ${plan.executionArn}`);
  return EXIT.ok;
}

export const undoCommand: Command<UndoOptions> = {
  name: 'undo',
  summary: 'deploy again the AMI the latest successful deployment replaced',
  usage: USAGE,
  parse: parseUndoOptions,
  run: undo,
};
