import * as z from 'zod';

/**
 * The keys the object schema at `path` accepts (array items by index), looking through optional, default
 * and nullable wrappers: what an "unknown key" message offers instead. Shared by the execution input's
 * validation (lambdas/validate-request), the configuration file's (infra/configuration-error.ts) and the
 * configuration-table test (test/infra/configuration-table.test.ts).
 */
export function allowedKeysAt(schema: z.ZodType, path: readonly string[]): string[] | undefined {
  let current: z.ZodType | undefined = unwrapSchema(schema);
  for (const key of path) {
    if (current instanceof z.ZodArray && /^\d+$/.test(key)) {
      current = unwrapSchema(current.element as z.ZodType);
    } else if (current instanceof z.ZodObject) {
      const shape = current.shape as Record<string, z.ZodType>;
      current = shape[key] ? unwrapSchema(shape[key]) : undefined;
    } else {
      return undefined;
    }
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : undefined;
}

/** The schema inside any optional, default or nullable wrappers. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const inner = (current.def as { innerType?: z.ZodType }).innerType;
    if (!inner) return current;
    current = inner;
  }
}
