import { abortCommand } from './abort';
import { approveCommand } from './approve';
import { runCommand, type Command } from './command';
import { deployCommand } from './deploy';
import { EXIT_TABLE_HINT } from './exit-table';
import { EXIT, type Io } from './io';
import { historyCommand } from './past-deployments';
import { promoteCommand } from './promote';
import { recoverCommand } from './recover';
import { releaseCommand } from './release';
import { rollbackCommand } from './rollback';
import { statusCommand } from './status';
import { undoCommand } from './undo';
import { watchCommand } from './watch';

interface Entry {
  readonly name: string;
  readonly summary: string;
  run(argv: string[], io: Io): Promise<number>;
}

function entry<Options>(command: Command<Options>): Entry {
  return { name: command.name, summary: command.summary, run: (argv, io) => runCommand(command, argv, io) };
}

export const COMMANDS: readonly Entry[] = [
  entry(deployCommand),
  entry(statusCommand),
  entry(watchCommand),
  entry(historyCommand),
  entry(promoteCommand),
  entry(rollbackCommand),
  entry(approveCommand),
  entry(abortCommand),
  entry(recoverCommand),
  entry(undoCommand),
  entry(releaseCommand),
];

export const USAGE = `Usage: npm run ops -- <command> [options]

Operates blue/green deployments on AWS (AWS SDK, default credential chain):

${COMMANDS.map((command) => `  ${command.name.padEnd(10)}${command.summary}`).join('\n')}

"npm run ops -- <command> --help" describes a command's options. Every command takes --output json.
${EXIT_TABLE_HINT}`;

/** Dispatches `<command> [options]`; what the entry point runs, and what tests call in-process. */
export async function runOps(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`error: unknown command "${name}"; choose one of: ${COMMANDS.map((c) => c.name).join(', ')}`);
    io.err('Run "npm run ops -- --help" for the commands.');
    return EXIT.usage;
  }
  return command.run(rest, io);
}
