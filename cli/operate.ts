import './node-warnings'; // first: silences the SDK's Node-version notice before any client exists
import { npmBannerNote, wantsJsonOutput } from './npm-banner';
import { processIo } from './operations/io';
import { runOps } from './operations/ops';

/**
 * `npm run ops -- <command> [options]`: deploy, status, watch, promote, rollback against AWS. The commands
 * live in cli/operations/, one module each, and take their output streams as arguments so tests run them
 * in-process against the simulated account.
 */
const argv = process.argv.slice(2);
const note = wantsJsonOutput(argv) ? npmBannerNote('ops', argv) : undefined;
if (note) processIo.err(note);
runOps(argv, processIo).then(
  // Exit once standard output has drained: a piped report would otherwise be cut short by process.exit.
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`, () => process.exit(1));
  },
);
