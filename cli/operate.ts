import { hideSdkNodeVersionNotice } from './node-warnings';
import { processIo } from './operations/io';
import { runOps } from './operations/ops';

/**
 * `npm run ops -- <command> [options]`: deploy, status, watch, promote, rollback against AWS. The commands
 * live in cli/operations/, one module each, and take their output streams as arguments so tests run them
 * in-process against the simulated account.
 */
hideSdkNodeVersionNotice();
runOps(process.argv.slice(2), processIo).then(
  // Exit once standard output has drained: a piped report would otherwise be cut short by process.exit.
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`, () => process.exit(1));
  },
);
