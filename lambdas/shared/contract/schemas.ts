import * as z from 'zod/mini';
import './zod-locale';

/** An application name: it names the state machine, topic and logs, so it is kept short and plain. */
export const applicationNameSchema = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z][A-Za-z0-9-]{0,39}$/,
      'must be 1–40 letters, digits or hyphens, starting with a letter',
    ),
  );

/** AMI ids had 8 hex digits before 2016 and 17 since; both still exist. */
export const amiIdSchema = z
  .string({ error: 'must be a string like "ami-0123456789abcdef0"' })
  .check(
    z.regex(
      /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/,
      'must be "ami-" followed by 8 or 17 lowercase hex digits, e.g. "ami-0123456789abcdef0"',
    ),
  );

/** Turns zod issues into one sentence per field: which field, what was wrong, what is allowed. */
export function describeIssues(error: z.core.$ZodError, root = 'input'): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : root;
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}
