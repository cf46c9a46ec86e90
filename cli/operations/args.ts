import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs in strict mode, with its errors turned into usage errors in the CLI's words
 * (Node's own texts explain positional arguments, which no command here takes).
 */
export function parseOptions<T extends OptionsConfig>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(parseErrorText(error));
  }
}

function parseErrorText(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(message ?? '')?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}": every value follows its option, e.g. --ami ami-0123456789abcdef0`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // "Option '--ami <value>' argument missing" or "Option '--wait' does not take an argument".
      return /argument missing/.test(message ?? '')
        ? `${quoted.replace(/ <value>$/, '')} needs a value`
        : `${quoted} takes no value`;
    default:
      return message ?? String(error);
  }
}

/** `why` completes "--x is required …", e.g. "with --config"; `example` is a value to copy. */
export function required<T>(value: T | undefined, option: string, example: string, why = ''): T {
  if (value === undefined) {
    throw new UsageError(`${option} is required${why ? ` ${why}` : ''}, e.g. ${option} ${example}`);
  }
  return value;
}

/** A whole number within bounds, or undefined when the option is absent. */
export function wholeNumber(
  value: string | undefined,
  option: string,
  bounds: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed) || parsed < bounds.min || parsed > bounds.max) {
    throw new UsageError(
      `${option} takes a whole number from ${bounds.min} to ${bounds.max}, got "${value}"`,
    );
  }
  return parsed;
}

/** A value that must match a pattern; `what` says what is expected, with an example. */
export function matching(value: string, option: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new UsageError(`${option} must be ${what}, got "${value}"`);
  return value;
}

/** Options that make no sense together (two ways to say the same thing). */
export function exclusive(given: Record<string, unknown>, fix: string): void {
  const present = Object.keys(given).filter((option) => given[option] !== undefined);
  if (present.length > 1) throw new UsageError(`${present.join(' and ')} cannot be combined: ${fix}`);
}

export function isHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
