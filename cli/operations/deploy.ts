import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { amiIdSchema, executionArnFor } from '../../lambdas/shared/contract';
import { MAX_ROLLBACK_WINDOW_MINUTES } from '../../lambdas/shared/settings';
import { matching, parseOptions, required, wholeNumber } from './args';
import { regionOf } from './arns';
import { stepFunctionsClient } from './clients';
import type { Command } from './command';
import { EXECUTION_NAME } from './execution-option';
import { EXIT_TABLE_HINT } from './exit-table';
import { FOLLOW_USAGE, type Until } from './follow';
import { OperationError, UsageError, type Io } from './io';
import { requestOf } from './outcome';
import { OUTPUT_OPTION, OUTPUT_USAGE, outputOption, type OutputFormat } from './output';
import { stateMachineOption, type StateMachineRef } from './state-machine';
import { reportStarted } from './started';
import { FOLLOW_OPTIONS, parseFollowValues } from './watch';

export interface DeployOptions extends StateMachineRef {
  amiId: string;
  windowMinutes?: number;
  /** Execution name: starting again with the same name and input returns the same execution. */
  name?: string;
  wait: boolean;
  intervalSeconds: number;
  until?: Until;
  timeoutSeconds?: number;
  output?: OutputFormat;
}

const USAGE = `Usage: npm run ops -- deploy --ami AMI_ID [--window-minutes M] [--name NAME] [--wait [--interval SECONDS]
                              [--until shifted|finished] [--timeout SECONDS]] [--output text|json]
                              [state machine options]

Starts a deployment of an AMI (StartExecution) and prints the execution's ARN on standard output.

  --ami AMI_ID              the AMI to deploy, e.g. ami-0123456789abcdef0
  --window-minutes M        rollback window of this deployment, 0–${MAX_ROLLBACK_WINDOW_MINUTES} (default: the configuration's)
  --name NAME               execution name (letters, digits, - and _; default: one Step Functions makes).
                            Starting again with the same name and AMI follows the execution that has
                            it (running or ended) instead of starting a second deployment.
  --wait                    follow the deployment (progress on standard error): a pipeline gate
${FOLLOW_USAGE}
${OUTPUT_USAGE}

${stateMachineOption.usage}

${EXIT_TABLE_HINT} Without --wait: 0 when it started.`;

export function parseDeployOptions(argv: string[]): DeployOptions {
  const values = parseOptions(argv, {
    ami: { type: 'string' },
    'window-minutes': { type: 'string' },
    name: { type: 'string' },
    wait: { type: 'boolean', default: false },
    ...FOLLOW_OPTIONS,
    ...OUTPUT_OPTION,
    ...stateMachineOption.options,
  });
  const amiId = required(values.ami, '--ami', 'ami-0123456789abcdef0');
  // The validate step's own schema: an AMI id the CLI accepts is one the deployment accepts.
  const ami = amiIdSchema.safeParse(amiId);
  if (!ami.success) throw new UsageError(`--ami ${ami.error.issues[0]?.message}, got "${amiId}"`);
  if (values.interval !== undefined && !values.wait) {
    throw new UsageError('--interval sets how often --wait polls: add --wait, or drop --interval');
  }
  for (const option of ['until', 'timeout'] as const) {
    if (values[option] !== undefined && !values.wait) {
      throw new UsageError(`--${option} tells --wait how to follow: add --wait, or drop --${option}`);
    }
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
    ...stateMachineOption.parse(values),
    wait: values.wait,
    ...parseFollowValues(values),
    output: outputOption(values.output),
  };
}

/** The execution input the validate step expects (docs/configuration.md, "Execution input"). */
export function deploymentInput(options: Pick<DeployOptions, 'amiId' | 'windowMinutes'>): string {
  return JSON.stringify({
    amiId: options.amiId,
    ...(options.windowMinutes !== undefined && {
      overrides: { rollbackWindowMinutes: options.windowMinutes },
    }),
  });
}

/**
 * StartExecution, or the execution that already has this name: AWS answers ExecutionAlreadyExists when
 * the named execution has ended or was started with another input. A pipeline's retry with the same name
 * and AMI then follows that execution; another AMI under the same name is refused.
 */
async function start(stateMachineArn: string, options: DeployOptions, io: Io): Promise<string> {
  const client = stepFunctionsClient(regionOf(stateMachineArn));
  try {
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, input: deploymentInput(options), name: options.name }),
    );
    if (!executionArn) throw new Error('StartExecution returned no execution ARN');
    return executionArn;
  } catch (error) {
    if ((error as Error).name !== 'ExecutionAlreadyExists' || options.name === undefined) throw error;
    const executionArn = executionArnFor(stateMachineArn, options.name);
    const existing = await client.send(new DescribeExecutionCommand({ executionArn }));
    const existingAmi = requestOf(existing).amiId;
    if (existingAmi !== options.amiId) {
      throw new OperationError(
        `An execution named ${options.name} already exists for ${existingAmi ?? 'another input'}, not ${options.amiId}: give this deployment another --name.`,
      );
    }
    io.err(
      `note: ${options.name} already deployed ${options.amiId} (${existing.status}); following that execution instead of starting another.`,
    );
    return executionArn;
  }
}

export async function deploy(options: DeployOptions, io: Io): Promise<number> {
  const stateMachineArn = await stateMachineOption.arnOf(options);
  const executionArn = await start(stateMachineArn, options, io);
  return reportStarted(executionArn, options, io, `Started the deployment of ${options.amiId}.`);
}

export const deployCommand: Command<DeployOptions> = {
  name: 'deploy',
  summary: 'start a deployment of an AMI (--wait: follow it, a pipeline gate)',
  usage: USAGE,
  parse: parseDeployOptions,
  run: deploy,
};
