import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { amiIdSchema } from '../../lambdas/shared/contract';
import { MAX_ROLLBACK_WINDOW_MINUTES } from '../../lambdas/shared/settings';
import { matching, parseOptions, required, wholeNumber } from './args';
import { regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import type { Command } from './command';
import { EXIT, UsageError, type Io } from './io';
import { resolveStateMachineArn, STATE_MACHINE_OPTIONS, STATE_MACHINE_USAGE } from './state-machine';
import { DEFAULT_INTERVAL_SECONDS, follow, INTERVAL_BOUNDS } from './watch';

export interface DeployOptions {
  amiId: string;
  windowMinutes?: number;
  stateMachineArn: string;
  /** Execution name: starting again with the same name and input returns the same execution. */
  name?: string;
  wait: boolean;
  intervalSeconds: number;
}

const USAGE = `Usage: npm run ops -- deploy --ami AMI_ID [--window-minutes M] [--name NAME] [--wait]
                              [--interval SECONDS] [state machine options]

Starts a deployment of an AMI (StartExecution) and prints the execution's ARN on standard output.

  --ami AMI_ID              the AMI to deploy, e.g. ami-0123456789abcdef0
  --window-minutes M        rollback window of this deployment, 0–${MAX_ROLLBACK_WINDOW_MINUTES} (default: the configuration's)
  --name NAME               execution name (letters, digits, - and _; default: one Step Functions makes).
                            A pipeline that retries with the same name and AMI gets the same execution
                            back instead of a second deployment.
  --wait                    follow the deployment to its end (progress on standard error), exit code 0
                            only when it succeeded: a pipeline gate
  --interval SECONDS        with --wait: seconds between polls, ${INTERVAL_BOUNDS.min}–${INTERVAL_BOUNDS.max} (default: ${DEFAULT_INTERVAL_SECONDS})

${STATE_MACHINE_USAGE}

Exit code 0 when the deployment started (with --wait: when it succeeded); 1 when it could not start
(or, with --wait, did not succeed); 2 on a usage error.`;

const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function parseDeployOptions(argv: string[]): DeployOptions {
  const values = parseOptions(argv, {
    ami: { type: 'string' },
    'window-minutes': { type: 'string' },
    name: { type: 'string' },
    wait: { type: 'boolean', default: false },
    interval: { type: 'string' },
    ...STATE_MACHINE_OPTIONS,
  });
  const amiId = required(values.ami, '--ami', 'ami-0123456789abcdef0');
  // The validate step's own schema: an AMI id the CLI accepts is one the deployment accepts.
  const ami = amiIdSchema.safeParse(amiId);
  if (!ami.success) throw new UsageError(`--ami ${ami.error.issues[0]?.message}, got "${amiId}"`);
  if (values.interval !== undefined && !values.wait) {
    throw new UsageError('--interval sets how often --wait polls: add --wait, or drop --interval');
  }
  return {
    amiId,
    windowMinutes: wholeNumber(values['window-minutes'], '--window-minutes', {
      min: 0,
      max: MAX_ROLLBACK_WINDOW_MINUTES,
    }),
    name:
      values.name === undefined
        ? undefined
        : matching(values.name, '--name', EXECUTION_NAME, '1–80 letters, digits, - or _'),
    stateMachineArn: resolveStateMachineArn(values),
    wait: values.wait,
    intervalSeconds: wholeNumber(values.interval, '--interval', INTERVAL_BOUNDS) ?? DEFAULT_INTERVAL_SECONDS,
  };
}

/** The execution input the validate step expects (README "Execution input"). */
export function deploymentInput(options: Pick<DeployOptions, 'amiId' | 'windowMinutes'>): string {
  return JSON.stringify({
    amiId: options.amiId,
    ...(options.windowMinutes !== undefined && {
      overrides: { rollbackWindowMinutes: options.windowMinutes },
    }),
  });
}

export async function deploy(options: DeployOptions, io: Io): Promise<number> {
  const client = stepFunctionsClient(regionOf(options.stateMachineArn));
  const { executionArn } = await client.send(
    new StartExecutionCommand({
      stateMachineArn: options.stateMachineArn,
      input: deploymentInput(options),
      name: options.name,
    }),
  );
  if (!executionArn) throw new Error('StartExecution returned no execution ARN');
  io.out(executionArn);
  if (!options.wait) {
    io.err(`Started the deployment of ${options.amiId}. Follow it with:`);
    io.err(`  npm run ops -- watch --execution ${executionArn}`);
    return EXIT.ok;
  }
  return follow(executionArn, io, options.intervalSeconds, (line) => io.err(line));
}

export const deployCommand: Command<DeployOptions> = {
  name: 'deploy',
  summary: 'start a deployment of an AMI (--wait: follow it, a pipeline gate)',
  usage: USAGE,
  parse: parseDeployOptions,
  run: deploy,
};
