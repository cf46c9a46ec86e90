import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ASSET_ENTRY, copyShippedBundle } from '../../infra/bundling';

/**
 * The shipped bundles take the execution role's credentials from the environment variables Lambda sets, and
 * from nowhere else (lambdas/shared/aws/lambda-credentials.ts replaces the SDK's default chain in them only).
 * Proved on a shipped asset, run in its own Node process as Lambda runs it, its AWS calls sent to a local
 * endpoint (`AWS_ENDPOINT_URL`, which the SDK reads) that records how each request was signed.
 */
const STEP = 'check-group-empty';
const INPUT = { groupName: 'webapp-green', wait: { startedAt: null }, timeoutSeconds: 600 };
const EMPTY_GROUPS =
  '<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">' +
  '<DescribeAutoScalingGroupsResult><AutoScalingGroups/></DescribeAutoScalingGroupsResult>' +
  '<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>';

/** Runs in the child: invokes the asset's handler once and prints how it ended, as JSON. */
const INVOKE = `require(process.argv[1]).handler(JSON.parse(process.argv[2])).then(
  () => process.stdout.write(JSON.stringify({ ok: true })),
  (error) => process.stdout.write(JSON.stringify({ ok: false, name: error.name, message: error.message })),
);`;

let folder: string;
let home: string;
let server: http.Server;
let endpoint: string;
let requests: http.IncomingHttpHeaders[];

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'shipped-credentials-'));
  copyShippedBundle(STEP, folder);
  // A home whose shared files hold other credentials: the default chain would find them.
  home = path.join(folder, 'home');
  fs.mkdirSync(path.join(home, '.aws'), { recursive: true });
  fs.writeFileSync(
    path.join(home, '.aws', 'credentials'),
    '[default]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = profile-secret\n',
  );
  server = http.createServer((request, response) => {
    requests.push(request.headers);
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'text/xml' }).end(EMPTY_GROUPS));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

beforeEach(() => {
  requests = [];
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(folder, { recursive: true, force: true });
});

async function invoke(
  credentials: Record<string, string>,
): Promise<{ ok: boolean; name?: string; message?: string }> {
  const child = spawn(
    process.execPath,
    ['-e', INVOKE, path.join(folder, ASSET_ENTRY.file), JSON.stringify(INPUT)],
    {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL: endpoint,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        ...credentials,
      },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (stdout === '') throw new Error(`the asset did not run (exit ${String(code)}): ${stderr}`);
  return JSON.parse(stdout) as { ok: boolean; name?: string; message?: string };
}

describe(`the shipped ${STEP} asset's AWS credentials`, () => {
  it('signs with the credentials Lambda sets in the environment', async () => {
    const outcome = await invoke({
      AWS_ACCESS_KEY_ID: 'AKIDFROMLAMBDA',
      AWS_SECRET_ACCESS_KEY: 'lambda-secret',
      AWS_SESSION_TOKEN: 'lambda-session-token',
    });

    expect(requests).toHaveLength(1);
    expect(requests[0].authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFROMLAMBDA\/\d{8}\/eu-west-1\/autoscaling\//,
    );
    expect(requests[0]['x-amz-security-token']).toBe('lambda-session-token');
    // The group does not exist at this endpoint: the step says so, after a signed call.
    expect(outcome).toMatchObject({ ok: false, message: expect.stringContaining('webapp-green') });
  }, 60_000);

  it('looks nowhere else: without them it sends nothing and says which credentials are missing', async () => {
    // The default chain would take the profile in its home, or ask this container-credentials endpoint.
    const outcome = await invoke({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${endpoint}/credentials` });

    expect(requests).toEqual([]);
    expect(outcome).toMatchObject({
      ok: false,
      message: expect.stringMatching(/environment variable credentials/i),
    });
  }, 60_000);
});
