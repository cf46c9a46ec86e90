import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { ROOT } from './build-cache';
import { configurationFileSchema } from './config';

/** The committed JSON Schema of the configuration file, for editors: `"$schema": "./schema.json"`. */
export const CONFIG_JSON_SCHEMA_FILE = path.join(ROOT, 'config', 'schema.json');

type JsonSchema = { [key: string]: unknown; properties?: Record<string, JsonSchema>; required?: string[] };

/**
 * Settings the reference environment provides (infra/reference-deployment.ts): required in a file only when
 * `environment` is "existing". parseConfig checks the same in two passes; a JSON Schema says it with
 * `if`/`else`.
 */
const PROVIDED_BY_THE_REFERENCE_ENVIRONMENT = {
  deployment: ['applicationName', 'groups', 'targetGroups', 'syntheticChecks', 'monitoring'],
  'deployment.syntheticChecks': ['endpoint'],
  'deployment.monitoring': ['alarmNames'],
} as const;

/** The formats JSON Schema (2020-12) defines that zod may emit. */
const JSON_SCHEMA_FORMATS = new Set([
  'date-time',
  'date',
  'time',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uuid',
  'regex',
]);

/**
 * The configuration file's JSON Schema, generated from the schema `cdk synth` validates it with
 * (`configurationFileSchema`, as written: defaults make fields optional). What it cannot say (cross-field
 * rules such as min <= desired <= max, target groups in the stack's Region) is still checked at synth time.
 * `npm run schema` writes it to config/schema.json; test/infra/config-json-schema.test.ts fails when that
 * file is stale.
 */
export function configurationJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(configurationFileSchema, {
    io: 'input',
    // zod names some checks with formats of its own ("starts_with", with the equivalent `pattern`): not JSON
    // Schema's, which editors would ignore and strict validators refuse.
    override: ({ jsonSchema }) => {
      if (typeof jsonSchema.format === 'string' && !JSON_SCHEMA_FORMATS.has(jsonSchema.format)) {
        delete jsonSchema.format;
      }
    },
  }) as JsonSchema;
  // The fields every file may leave out for the reference environment are required only by the `else`.
  const requiredForExisting: JsonSchema = { type: 'object' };
  for (const [at, provided] of Object.entries(PROVIDED_BY_THE_REFERENCE_ENVIRONMENT)) {
    const node = at.split('.').reduce<JsonSchema>((parent, key) => parent.properties?.[key] ?? {}, schema);
    const target = at.split('.').reduce<JsonSchema>((parent, key) => {
      parent.properties ??= {};
      return (parent.properties[key] ??= { type: 'object' });
    }, requiredForExisting);
    target.required = (node.required ?? []).filter((key) => (provided as readonly string[]).includes(key));
    node.required = (node.required ?? []).filter((key) => !(provided as readonly string[]).includes(key));
  }
  const { $schema: draft, ...rest } = schema;
  return {
    $schema: draft,
    title: 'asg-blue-green configuration file',
    description:
      'Blue/green deployments of EC2 Auto Scaling groups: `npx cdk synth -c config=<this file>`. Generated from configurationFileSchema (infra/config.ts) by `npm run schema`; docs/configuration.md explains each field.',
    ...rest,
    if: { type: 'object', properties: { environment: { const: 'reference' } }, required: ['environment'] },
    else: requiredForExisting,
  };
}

/** `npm run schema`: writes config/schema.json, formatted as Prettier would. */
async function writeSchema(): Promise<void> {
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(CONFIG_JSON_SCHEMA_FILE);
  const text = await prettier.format(JSON.stringify(configurationJsonSchema()), {
    ...options,
    filepath: CONFIG_JSON_SCHEMA_FILE,
  });
  fs.writeFileSync(CONFIG_JSON_SCHEMA_FILE, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), CONFIG_JSON_SCHEMA_FILE)}\n`);
}

if (require.main === module) {
  writeSchema().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
