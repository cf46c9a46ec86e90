import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const NOTICE = /NodeVersionSupportWarning|will require node >=/;
/** The SDK warns on Node versions it will stop supporting: below 22 with the pinned SDK. */
const SDK_WARNS_HERE = Number(process.versions.node.split('.')[0]) < 22;

/** A child process as a shell starts it: without the switch that test/setup.ts sets for the tests. */
function run(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env[SWITCH];
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A local port nothing listens on: an SDK call to it fails at once, offline. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the AWS SDK's Node-version notice", () => {
  it('is what a client prints without the documented switch (the control)', () => {
    const client = run(['-e', "new (require('@aws-sdk/client-sfn').SFNClient)({ region: 'us-east-1' })"]);
    expect(client.code).toBe(0);
    if (SDK_WARNS_HERE) expect(client.stderr).toMatch(NOTICE);
    else expect(client.stderr).not.toMatch(NOTICE);
  });

  it('npm run ops: a command that calls AWS prints its error, not the notice', async () => {
    const port = await closedPort();
    const ops = run(
      [
        '--import',
        'tsx',
        path.join('cli', 'operate.ts'),
        'status',
        '--state-machine-arn',
        'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-blue-green-deployment',
      ],
      {
        AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'example',
        AWS_REGION: 'us-east-1',
        AWS_MAX_ATTEMPTS: '1',
      },
    );
    expect(ops.stderr).toMatch(/^error: could not reach AWS/);
    expect(ops.stderr).not.toMatch(NOTICE);
    expect(ops.code).toBe(1);
  }, 30_000);

  it('npm run simulate: its SDK clients, answered by the simulated account, print no notice', () => {
    const simulate = run([
      '--import',
      'tsx',
      path.join('cli', 'simulate.ts'),
      '--scenario',
      'not-our-ami',
      '--quiet',
    ]);
    expect(simulate.stdout).toMatch(/PASS {2}scenario not-our-ami/);
    expect(simulate.stderr).not.toMatch(NOTICE);
    expect(simulate.code).toBe(0);
  }, 60_000);
});
