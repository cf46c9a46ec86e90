import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientVersionOnly } from '../../infra/bundling';

/**
 * The bundles load each SDK client's package.json as its `version` alone (infra/bundling.ts): safe only while
 * `version` is the one field the clients read from it. Checked on every client the lockfile installs, so an
 * SDK upgrade that reads another field fails here instead of in a deployed step.
 */
const SDK = join(__dirname, '..', '..', 'node_modules', '@aws-sdk');
const clients = readdirSync(SDK).filter((name) => name.startsWith('client-'));

describe('SDK clients read only their version from package.json', () => {
  it('finds the clients the steps use', () => {
    expect(clients).toEqual(
      expect.arrayContaining([
        'client-auto-scaling',
        'client-cloudwatch',
        'client-elastic-load-balancing-v2',
      ]),
    );
  });

  it.each(clients.map((client) => [client]))('%s', (client) => {
    const dist = join(SDK, client, 'dist-es');
    const uses = readdirSync(dist)
      .filter((file) => file.endsWith('.js'))
      .flatMap((file) => [...readFileSync(join(dist, file), 'utf8').matchAll(/packageInfo\.(\w+)/g)])
      .map((match) => match[1]);
    expect(new Set(uses)).toEqual(new Set(['version']));
    const packageJson = readFileSync(join(SDK, client, 'package.json'), 'utf8');
    expect(JSON.parse(clientVersionOnly(packageJson))).toEqual({
      version: (JSON.parse(packageJson) as { version: string }).version,
    });
  });
});
