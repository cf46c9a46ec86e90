import * as z from 'zod';

/**
 * Zod issues turned into sentences an operator can act on: the field, what is wrong and what is allowed.
 * Differs from shared/handler.ts's `describeIssues` in naming the allowed keys next to an unknown one, which
 * is the usual mistake in a hand-written execution input (a misspelt override).
 */
export function explainIssues(error: z.ZodError, schema: z.ZodType, root: string): string {
  return error.issues.map((issue) => explainIssue(issue, schema, root)).join('; ');
}

function explainIssue(issue: z.core.$ZodIssue, schema: z.ZodType, root: string): string {
  const path = issue.path.map(String);
  const field = path.length > 0 ? path.join('.') : root;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `"${key}"`).join(', ');
    const allowed = allowedKeysAt(schema, path);
    const noun = issue.keys.length === 1 ? 'key' : 'keys';
    return `${field}: unrecognized ${noun} ${keys}${allowed ? `; allowed: ${allowed.join(', ')}` : ''}`;
  }
  return `${field}: ${issue.message}`;
}

/** The keys the object schema at `path` accepts, looking through optional/default/nullable wrappers. */
export function allowedKeysAt(schema: z.ZodType, path: readonly string[]): string[] | undefined {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (!(current instanceof z.ZodObject)) return undefined;
    const shape = current.shape as Record<string, z.ZodType>;
    current = shape[key] ? unwrap(shape[key]) : undefined;
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const inner = (current.def as { innerType?: z.ZodType }).innerType;
    if (!inner) return current;
    current = inner;
  }
}
