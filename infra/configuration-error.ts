import type * as z from 'zod/mini';
import { allowedKeysAt } from '../lambdas/shared/contract/schema-keys';

/** One thing wrong with a configuration: the field (dotted path, empty for the whole file) and the problem. */
export interface ConfigurationProblem {
  readonly field: string;
  readonly problem: string;
}

/**
 * A configuration that cannot be used, as problems a person fixes one by one. With a file, the message is
 * one `file: field: problem` line per problem, what `npx cdk synth` and `npm run ops` print (without a stack
 * trace); without one (the construct in another CDK app), one sentence: `heading: field: problem; …`.
 */
export class ConfigurationError extends Error {
  readonly problems: readonly ConfigurationProblem[];
  readonly file?: string;

  constructor(problems: readonly ConfigurationProblem[], options: { file?: string; heading?: string } = {}) {
    super(
      options.file !== undefined
        ? problems.map((p) => [options.file, p.field, p.problem].filter(Boolean).join(': ')).join('\n')
        : `${options.heading ?? 'Invalid configuration'}: ${problems.map((p) => [p.field, p.problem].filter(Boolean).join(': ')).join('; ')}`,
    );
    this.name = 'ConfigurationError';
    this.problems = problems;
    this.file = options.file;
  }

  /** The same problems, found in `file`, their fields under `under` (e.g. "deployment" for the construct's props). */
  inFile(file: string, under?: string): ConfigurationError {
    if (this.file !== undefined) return this;
    return new ConfigurationError(
      this.problems.map(({ field, problem }) => ({
        field: [under, field].filter(Boolean).join('.'),
        problem,
      })),
      { file },
    );
  }
}

/**
 * Zod's issues as problems, fields under `under`. An unknown key names the known one it is closest to (a
 * misspelling), or else the keys allowed there. `schema` is the one that produced the issues.
 */
export function problemsOf(
  error: z.core.$ZodError,
  schema: z.ZodMiniType,
  under?: string,
): ConfigurationProblem[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    const field = [under, ...path].filter(Boolean).join('.');
    if (issue.code !== 'unrecognized_keys') return [{ field, problem: issue.message }];
    const allowed = allowedKeysAt(schema, path) ?? [];
    return issue.keys.map((key) => ({ field, problem: unknownName(`field "${key}"`, key, allowed) }));
  });
}

/** `unknown field "x": did you mean "y"?`, or the names allowed when none is close. */
export function unknownName(what: string, name: string, known: readonly string[]): string {
  const closest = closestName(name, known);
  if (closest !== undefined) return `unknown ${what}: did you mean "${closest}"?`;
  return `unknown ${what}${known.length > 0 ? `; allowed: ${known.join(', ')}` : ''}`;
}

/**
 * The known name a misspelling most likely meant: at most two edits away (a transposition counts as one,
 * case is ignored), and at most a third of the name; undefined when none is that close.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    if (candidate === name) return undefined;
    const distance = editDistance(lower, candidate.toLowerCase());
    const bound = Math.min(2, Math.max(1, Math.floor(candidate.length / 3)));
    if (distance <= bound && (best === undefined || distance < best.distance)) {
      best = { name: candidate, distance };
    }
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
