import './node-warnings'; // first: silences the SDK's Node-version notice before any client exists
import '../simulator/engine/polyfills';
import { npmBannerNote, wantsJsonOutput } from './npm-banner';
import { runSimulate } from './simulate-command';

const argv = process.argv.slice(2);
const note = wantsJsonOutput(argv) ? npmBannerNote('simulate', argv) : undefined;
if (note) process.stderr.write(`${note}\n`);
// Exit only once standard output has drained: a piped report larger than the pipe buffer would otherwise
// be cut short by process.exit.
runSimulate(argv, { out: process.stdout, err: process.stderr }).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`, () => process.exit(2));
  },
);
