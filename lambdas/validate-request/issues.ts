import * as z from 'zod/mini';
import { allowedKeysAt } from '../shared/contract/schema-keys';

/**
 * Zod issues turned into sentences an operator can act on: the field, what is wrong and what is allowed.
 * Differs from shared/handler.ts's `describeIssues` in naming the allowed keys next to an unknown one, which
 * is the usual mistake in a hand-written execution input (a misspelt override).
 */
export function explainIssues(error: z.core.$ZodError, schema: z.ZodMiniType, root: string): string {
  return error.issues.map((issue) => explainIssue(issue, schema, root)).join('; ');
}

function explainIssue(issue: z.core.$ZodIssue, schema: z.ZodMiniType, root: string): string {
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
