import '../simulator/engine/polyfills';
import { runSimulate } from './simulate-command';

// Exit only once standard output has drained: a piped report larger than the pipe buffer would otherwise
// be cut short by process.exit.
runSimulate(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`, () => process.exit(2));
  },
);
