import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { CONFIG_JSON_SCHEMA_FILE, configurationJsonSchema } from '../../infra/config-json-schema';
import { loadConfig } from '../../infra/config';

const CONFIG = path.join(__dirname, '..', '..', 'config');
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

describe('the configuration JSON Schema (config/schema.json)', () => {
  const committed = read(CONFIG_JSON_SCHEMA_FILE);
  // Strict, so that a keyword ajv does not know fails here rather than being ignored by an editor; but the
  // `else` requires fields its `properties` do not redefine (the ones beside it do), which strictRequired
  // would refuse. `uri` is the only format, which editors check themselves.
  const validate = new Ajv2020({
    strict: true,
    strictRequired: false,
    allErrors: true,
    formats: { uri: true },
  }).compile(committed);
  const errorsOf = (config: unknown) => (validate(config) ? [] : (validate.errors ?? []));

  it('is the one generated from configurationFileSchema (run `npm run schema` when this fails)', () => {
    expect(committed).toEqual(configurationJsonSchema());
  });

  it.each(['example.json', 'reference.json'])(
    'accepts config/%s, which names it with "$schema" (and cdk synth reads it)',
    (file) => {
      const config = read(path.join(CONFIG, file));
      expect(config.$schema).toBe('./schema.json');
      expect(errorsOf(config)).toEqual([]);
      expect(() => loadConfig(path.join(CONFIG, file))).not.toThrow();
    },
  );

  it('refuses what parseConfig refuses: an unknown field, a malformed value, a missing required field', () => {
    const example = read(path.join(CONFIG, 'example.json'));
    const deployment = example.deployment as Record<string, unknown>;
    const cases = {
      misspelt: { ...example, deployment: { ...deployment, capacty: { min: 1, desired: 1, max: 1 } } },
      malformed: { ...example, deployment: { ...deployment, targetGroups: { main: 'tg', synthetic: 'tg' } } },
      missing: { ...example, deployment: { ...deployment, groups: undefined } },
      nestedMissing: {
        ...example,
        deployment: { ...deployment, monitoring: { rollbackWindowMinutes: 60 } },
      },
    };
    const refused = Object.fromEntries(
      Object.entries(cases).map(([name, config]) => [name, errorsOf(JSON.parse(JSON.stringify(config)))]),
    );
    expect(refused.misspelt).toContainEqual(
      expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'capacty' } }),
    );
    expect(refused.malformed).toContainEqual(
      expect.objectContaining({ instancePath: '/deployment/targetGroups/main', keyword: 'pattern' }),
    );
    expect(refused.missing).toContainEqual(
      expect.objectContaining({ keyword: 'required', params: { missingProperty: 'groups' } }),
    );
    expect(refused.nestedMissing).toContainEqual(
      expect.objectContaining({ keyword: 'required', params: { missingProperty: 'alarmNames' } }),
    );
  });

  it('leaves what the reference environment provides to it, and still requires the rest', () => {
    const reference = read(path.join(CONFIG, 'reference.json'));
    const deployment = reference.deployment as Record<string, unknown>;
    expect(
      errorsOf(
        JSON.parse(JSON.stringify({ ...reference, deployment: { ...deployment, amiSelector: undefined } })),
      ),
    ).toContainEqual(
      expect.objectContaining({ keyword: 'required', params: { missingProperty: 'amiSelector' } }),
    );
    // The same file as an existing environment lacks the groups, target groups, endpoint and alarms.
    const missing = errorsOf({ ...reference, environment: 'existing' })
      .filter((error) => error.keyword === 'required')
      .map((error) => (error.params as { missingProperty: string }).missingProperty);
    expect(missing.sort()).toEqual(['alarmNames', 'applicationName', 'endpoint', 'groups', 'targetGroups']);
  });
});
