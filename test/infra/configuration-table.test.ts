import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { unwrapSchema } from '../../lambdas/shared/contract/schema-keys';
import { configurationFileSchema } from '../../infra/config';

const CONFIGURATION = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');

interface Row {
  /** Dotted paths the row documents; a `<name>` segment stands for every key at that level. */
  fields: string[];
  default: string;
  meaning: string;
}

/** The table of docs/configuration.md: `deployment.groups.blue` / `.green` documents both fields. */
function configurationTable(): Row[] {
  const section = CONFIGURATION.split(/^# Configuration$/m)[1]?.split(/^#{1,2} /m)[0];
  if (section === undefined) throw new Error('docs/configuration.md has no "# Configuration" section');
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith('| Field'));
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [field, defaultValue, meaning] = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const [first, ...others] = [...field.matchAll(/`([^`]+)`/g)].map((match) => match[1].replace('[]', ''));
    const parent = first.slice(0, first.lastIndexOf('.'));
    rows.push({
      fields: [first, ...others.map((other) => (other.startsWith('.') ? `${parent}${other}` : other))],
      default: defaultValue,
      meaning,
    });
  }
  return rows;
}

interface Field {
  path: string;
  schema: z.ZodMiniType;
  /** Leaves, and objects or arrays of objects with no key of their own, must be documented. */
  leaf: boolean;
}

/** Every field of the configuration file's schema, through optional/default wrappers and array items. */
function schemaFields(schema: z.ZodMiniType, prefix = ''): Field[] {
  const node = unwrapSchema(schema);
  const object =
    node instanceof z.ZodMiniObject
      ? node
      : node instanceof z.ZodMiniArray &&
          unwrapSchema(node.def.element as z.ZodMiniType) instanceof z.ZodMiniObject
        ? (unwrapSchema(node.def.element as z.ZodMiniType) as z.ZodMiniObject)
        : undefined;
  if (object === undefined) return [];
  return Object.entries(object.shape as Record<string, z.ZodMiniType>).flatMap(([key, child]) => {
    const fieldPath = prefix ? `${prefix}.${key}` : key;
    const children = schemaFields(child, fieldPath);
    return [{ path: fieldPath, schema: child, leaf: children.length === 0 }, ...children];
  });
}

const matches = (pattern: string, fieldPath: string) => {
  const a = pattern.split('.');
  const b = fieldPath.split('.');
  return a.length === b.length && a.every((segment, i) => /^<.+>$/.test(segment) || segment === b[i]);
};

describe("docs/configuration.md's configuration table", () => {
  const rows = configurationTable();
  const documented = rows.flatMap((row) => row.fields);
  const fields = schemaFields(configurationFileSchema);

  it('is found, with a row per field group', () => {
    expect(rows.length).toBeGreaterThan(20);
    expect(documented).toContain('deployment.monitoring.allowNoAlarms');
  });

  it('documents only fields the configuration schema has', () => {
    const unknown = documented.filter((pattern) => !fields.some((field) => matches(pattern, field.path)));
    expect(unknown).toEqual([]);
  });

  it('documents every field of the configuration schema (itself, or the object it belongs to)', () => {
    const undocumented = fields
      .filter((field) => field.leaf)
      .map((field) => field.path)
      .filter((fieldPath) => {
        const segments = fieldPath.split('.');
        return !segments.some((_, i) =>
          documented.some((pattern) => matches(pattern, segments.slice(0, i + 1).join('.'))),
        );
      });
    expect(undocumented).toEqual([]);
  });

  it('lists every wait by name with its default interval and timeout', () => {
    const row = rows.find((candidate) => candidate.fields.includes('deployment.waits.<wait>'));
    const listed = Object.fromEntries(
      [...(row?.meaning ?? '').matchAll(/`(\w+)` \((\d+)\/(\d+)\)/g)].map(([, name, interval, timeout]) => [
        name,
        { intervalSeconds: Number(interval), timeoutSeconds: Number(timeout) },
      ]),
    );
    const waits = fields.find((field) => field.path === 'deployment.waits')?.schema;
    expect(waits).toBeDefined();
    expect(listed).toEqual((waits as z.ZodMiniType).parse(undefined));
  });

  it("gives each scalar default the schema's", () => {
    const defaults = fields.flatMap((field) => {
      const value: unknown =
        field.schema instanceof z.ZodMiniDefault ? field.schema.parse(undefined) : undefined;
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? [{ field: field.path, value: String(value) }]
        : [];
    });
    expect(defaults.length).toBeGreaterThan(5);
    for (const { field, value } of defaults) {
      const own = rows.find((candidate) => candidate.fields.includes(field));
      if (own) {
        // The cell starts with the value, with or without code quotes: "`blue`", "60 (0–1440)".
        expect([field, own.default.replace(/`/g, '').split(' ')[0]]).toEqual([field, value]);
      } else {
        // A field of an object documented whole: `{path, expectedStatus=200, …}` in its row's meaning.
        const parent = field.slice(0, field.lastIndexOf('.'));
        const key = field.slice(field.lastIndexOf('.') + 1);
        const row = rows.find((candidate) => candidate.fields.includes(parent));
        expect([field, row?.meaning]).toEqual([field, expect.stringContaining(`${key}=${value}`)]);
      }
    }
  });
});
