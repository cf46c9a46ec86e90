import * as fs from 'node:fs';
import * as path from 'node:path';
import { inlineSchemaKeys } from '../../infra/bundling';

/** The schema modules of the SDK clients the steps bundle (the lockfile's versions). */
const CLIENTS = [
  'client-auto-scaling',
  'client-cloudwatch',
  'client-ec2',
  'client-eventbridge',
  'client-elastic-load-balancing-v2',
  'client-sfn',
  'client-sns',
];
const schemaModules = CLIENTS.flatMap((client) => {
  const folder = path.join('node_modules', '@aws-sdk', client, 'dist-es', 'schemas');
  return fs
    .readdirSync(folder)
    .filter((file) => /^schemas_\d+\.js$/.test(file))
    .map((file) => path.join(folder, file));
});

describe('the SDK schema-key plugin (infra/bundling.ts) changes no value', () => {
  it('writes a computed key as the string its module-level constant holds', () => {
    const source =
      'const _A = "Alpha";\nconst _b = "beta";\nexport var S = [3, n0, _A, 0, { [_A]: 1, [_b]: _A, [_c]: 2 }];\n';
    expect(inlineSchemaKeys(source)).toBe(
      'const _A = "Alpha";\nconst _b = "beta";\nexport var S = [3, n0, _A, 0, { "Alpha": 1, "beta": _A, [_c]: 2 }];\n',
    );
  });

  it.each(schemaModules)(
    '%s: every inlined name is bound once, at module level, and never rebound',
    (file) => {
      const source = fs.readFileSync(file, 'utf8');
      const inlined = new Set(
        [...source.matchAll(/\[(_\w+)\]:/g)]
          .map(([, name]) => name)
          .filter((name) => new RegExp(`^const ${name} = "`, 'm').test(source)),
      );
      expect(inlined.size).toBeGreaterThan(0);
      for (const name of inlined) {
        // A second declaration, a parameter or an assignment would make `[name]` mean something else somewhere.
        const bindings =
          source.match(new RegExp(`\\b(?:const|let|var|function|class)\\s+${name}\\b`, 'g')) ?? [];
        const parameters = [
          `function\\s*\\w*\\s*\\([^)]*\\b${name}\\b[^)]*\\)`,
          `\\([^()]*\\b${name}\\b[^()]*\\)\\s*=>`,
          `\\b${name}\\s*=>`,
          `catch\\s*\\(\\s*${name}\\s*\\)`,
        ].some((pattern) => new RegExp(pattern).test(source));
        const assigned = new RegExp(`[^=!<>]\\s${name}\\s*=[^=>]`).test(
          source.replace(new RegExp(`^const ${name} =`, 'm'), ''),
        );
        expect({ name, bindings: bindings.length, parameters, assigned }).toEqual({
          name,
          bindings: 1,
          parameters: false,
          assigned: false,
        });
      }
    },
  );
});
