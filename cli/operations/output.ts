import { UsageError, type Io } from './io';
import type { DeploymentReport } from './report';

export type OutputFormat = 'text' | 'json';

/** `--output text|json`, shared by every command. */
export const OUTPUT_OPTION = { output: { type: 'string', default: 'text' } } as const;

export const OUTPUT_USAGE = `  --output text|json        json: one JSON object on standard output (progress stays on standard
                            error), e.g. {"outcome": "rolled-back", "exitCode": 5, …}`;

export function outputOption(value: string): OutputFormat {
  if (value !== 'text' && value !== 'json') {
    throw new UsageError(`--output takes text or json, got "${value}"`);
  }
  return value;
}

/** Prints a report as one JSON document, and returns its exit code. */
export function printJson(io: Io, value: DeploymentReport | object): void {
  io.out(JSON.stringify(value, null, 2));
}
