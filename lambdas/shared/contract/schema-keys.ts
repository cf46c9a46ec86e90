import * as z from 'zod/mini';

/**
 * The keys the object schema at `path` accepts (array items by index), looking through optional, default
 * and nullable wrappers: what an "unknown key" message offers instead. Shared by the execution input's
 * validation (lambdas/validate-request), the configuration file's (infra/configuration-error.ts) and the
 * configuration-table test (test/infra/configuration-table.test.ts).
 */
export function allowedKeysAt(schema: z.ZodMiniType, path: readonly string[]): string[] | undefined {
  let current: z.ZodMiniType | undefined = unwrapSchema(schema);
  for (const key of path) {
    if (current instanceof z.ZodMiniArray && /^\d+$/.test(key)) {
      current = unwrapSchema(current.def.element as z.ZodMiniType);
    } else if (current instanceof z.ZodMiniObject) {
      const shape = current.shape as Record<string, z.ZodMiniType>;
      current = shape[key] ? unwrapSchema(shape[key]) : undefined;
    } else {
      return undefined;
    }
  }
  return current instanceof z.ZodMiniObject ? Object.keys(current.shape) : undefined;
}

/** The schema inside any optional, default or nullable wrappers. */
export function unwrapSchema(schema: z.ZodMiniType): z.ZodMiniType {
  let current = schema;
  for (;;) {
    const inner = (current.def as { innerType?: z.ZodMiniType }).innerType;
    if (!inner) return current;
    current = inner;
  }
}
