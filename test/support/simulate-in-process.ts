import { Writable } from 'node:stream';
import { runSimulate } from '../../cli/simulate-command';

/** `npm run simulate -- …args` in this process, its streams collected: what it prints and its exit code. */
export async function simulateInProcess(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const collect = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await runSimulate(args, {
    out: collect((text) => (stdout += text)),
    err: collect((text) => (stderr += text)),
  });
  return { code, stdout, stderr };
}
