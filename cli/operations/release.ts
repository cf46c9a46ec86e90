import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { OPERATOR_REQUEST_TAG } from '../../lambdas/shared/contract';
import { KEEP_CHECK_INTERVAL_SECONDS } from '../../lambdas/shared/settings';
import { parseOptions } from './args';
import { regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import type { Command } from './command';
import { EXIT, OperationError, type Io } from './io';
import { keptFleetOf, requestOfKeep, statusNow } from './kept-fleet';
import { OUTPUT_OPTION, OUTPUT_USAGE, outputOption, printJson, type OutputFormat } from './output';
import { stateMachineOption, type StateMachineRef } from './state-machine';

export interface ReleaseOptions {
  stateMachine: StateMachineRef;
  output?: OutputFormat;
}

const USAGE = `Usage: npm run ops -- release [--output text|json] [state machine options]

Ends a kept fleet's keep now (docs/design.md#keeping-fleets): a failed fleet kept for debugging is scaled
to zero, an old fleet kept for an undo is retired. It finds the running deployment in a keep and tags its
new group ${OPERATOR_REQUEST_TAG}=release; the keep's next check (within ${KEEP_CHECK_INTERVAL_SECONDS} s) reads it.
Refused, with nothing changed, when no deployment is keeping a fleet.

${OUTPUT_USAGE}

${stateMachineOption.usage}

Exit code 0 when the request is set; 1 when refused or AWS failed; 2 on a usage error.`;

export function parseReleaseOptions(argv: string[]): ReleaseOptions {
  const { output, ...values } = parseOptions(argv, { ...stateMachineOption.options, ...OUTPUT_OPTION });
  return { stateMachine: stateMachineOption.parse(values), output: outputOption(output) };
}

export async function release(options: ReleaseOptions, io: Io): Promise<number> {
  const stateMachineArn = await stateMachineOption.arnOf(options.stateMachine);
  const client = stepFunctionsClient(regionOf(stateMachineArn));
  const { executions = [] } = await client.send(
    new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 100 }),
  );
  for (const execution of executions) {
    if ((await statusNow(client, execution)) !== 'RUNNING') continue;
    const kept = await keptFleetOf(client, execution);
    if (!kept) continue;
    await requestOfKeep(kept, 'release');
    const what =
      kept.purpose === 'undo'
        ? `the old fleet ${kept.keptGroup} is retired (no undo after that)`
        : `the failed fleet ${kept.keptGroup} is scaled to zero`;
    if (options.output === 'json') {
      printJson(io, {
        outcome: 'succeeded',
        exitCode: EXIT.ok,
        request: 'release',
        execution: { arn: kept.executionArn, name: kept.name },
        newGroup: kept.newGroup,
        keptGroup: kept.keptGroup,
        purpose: kept.purpose,
      });
    } else {
      io.out(
        `Tagged ${kept.newGroup} with ${OPERATOR_REQUEST_TAG}=release: at the keep's next check ${what}.`,
      );
    }
    io.err(`Follow it with: npm run ops -- watch --execution ${kept.executionArn}`);
    return EXIT.ok;
  }
  throw new OperationError(
    `No deployment of ${stateMachineArn} is keeping a fleet (keepOldFleetMinutes, keepFailedFleetMinutes): nothing to release. Nothing was changed.`,
  );
}

export const releaseCommand: Command<ReleaseOptions> = {
  name: 'release',
  summary: 'end a kept fleet’s keep now (tag on the new group)',
  usage: USAGE,
  parse: parseReleaseOptions,
  run: release,
};
