import { isTransient } from '../../lambdas/shared/aws/call';
import { isHelp } from './args';
import { EXIT_CODES, type CliOutcome } from './exit-codes';
import { EXIT, OperationError, UsageError, type Io } from './io';
import { printJson } from './output';

/**
 * One command: its options are parsed apart from running it, so that tests (and other tools) call
 * `run(options, io)` directly with the SDK clients answered by the simulated account.
 */
export interface Command<Options> {
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  readonly usage: string;
  /** Validates the command line; throws UsageError naming the option and the fix. */
  parse(argv: string[]): Options;
  run(options: Options, io: Io): Promise<number>;
}

/** `--help`, then parse, then run; every error ends as a message and an exit code, never a stack trace. */
export async function runCommand<Options>(
  command: Command<Options>,
  argv: string[],
  io: Io,
): Promise<number> {
  if (isHelp(argv)) {
    io.out(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(command.parse(argv), io);
  } catch (error) {
    const usage = error instanceof UsageError;
    const message = usage || error instanceof OperationError ? error.message : describeAwsError(error);
    const outcome: CliOutcome = usage ? 'usage-error' : 'error';
    io.err(`error: ${message}`);
    if (usage) io.err(`Run "npm run ops -- ${command.name} --help" for its options.`);
    // A pipeline that asked for JSON parses standard output whatever happened.
    if (wantsJson(argv)) printJson(io, { outcome, exitCode: EXIT_CODES[outcome], reason: message });
    return EXIT_CODES[outcome];
  }
}

function wantsJson(argv: readonly string[]): boolean {
  return (
    argv.includes('--output=json') ||
    argv.some((arg, index) => arg === '--output' && argv[index + 1] === 'json')
  );
}

/** An SDK error in plain words, with the fix for the usual ones (no credentials, no Region, wrong ARN). */
export function describeAwsError(error: unknown): string {
  const {
    name = 'Error',
    message = String(error),
    code,
  } = error as { name?: string; message?: string; code?: string };
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return `no usable AWS credentials (${message}). Configure the default credential chain: AWS_PROFILE, environment variables, aws sso login or an instance role.`;
  }
  if (code === 'ENOTFOUND' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || name === 'TimeoutError') {
    return `could not reach AWS (${message}): check the network, a proxy, and the Region.`;
  }
  if (/region is missing/i.test(message)) {
    return 'no AWS Region configured: set AWS_REGION (or AWS_PROFILE with a region), or pass --region.';
  }
  switch (name) {
    case 'ExecutionDoesNotExist':
      return `${message}: check the execution ARN, including its Region and account.`;
    case 'StateMachineDoesNotExist':
      return `${message}: check the state machine ARN (the StateMachineArn output of the orchestrator stack), or --config, --region and --account-id.`;
    case 'AccessDenied':
    case 'AccessDeniedException':
      return `access denied: ${message}`;
    default:
      return `${isTransient(error) ? 'AWS is busy or failing, try again' : 'AWS refused the call'}: ${name}: ${message}`;
  }
}
