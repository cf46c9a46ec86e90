/**
 * What every command talks through. Commands take an `Io` instead of writing to the process directly so
 * that tests run them in-process, against the simulated account, and read what they printed.
 */
export interface Io {
  /** Results a pipeline reads: an execution ARN, a status report, the states of a watched execution. */
  out(line: string): void;
  /** Progress, notes and errors: what a person reads, and what `$(…)` in a script does not capture. */
  err(line: string): void;
  /** Waits between polls; the process uses real time, tests the virtual clock. */
  sleep(milliseconds: number): Promise<void>;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  // The global setTimeout (not node:timers/promises), so fake timers in tests drive it like the engine's waits.
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/** Exit codes: 0 done / deployment succeeded; 1 refused, failed or not succeeded; 2 the command line is wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line is wrong: the message names the option and the fix. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command ran but could not do what was asked (nothing to act on, a refusal). Exit code 1. */
export class OperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperationError';
  }
}
