import type { Io } from '../../cli/operations/io';

/** An operator command's output, kept line by line for the test to read; its sleeps are real timers. */
export function recordingIo() {
  const lines = { out: [] as string[], err: [] as string[] };
  const io: Io = {
    out: (line) => lines.out.push(line),
    err: (line) => lines.err.push(line),
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  };
  return { io, ...lines };
}
