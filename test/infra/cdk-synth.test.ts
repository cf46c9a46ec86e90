import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveDefinition, type CfnTemplate } from '../../simulator/engine/resolve-definition';
import { STEP_NAMES } from '../../state-machine/step-registry';

const ROOT = path.join(__dirname, '..', '..');

interface Template extends CfnTemplate {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
}

/**
 * The one real `npx cdk synth` of a test run, as a user runs it, with the reference configuration (both
 * stacks) and aws-cdk-lib's built-in CloudFormation validation on: the pinned CLI must read the cloud
 * assembly the pinned aws-cdk-lib writes (aws-cdk 3.0.0 could not). Its assets are then tested as Lambda
 * runs them (a fresh Node process, the asset's own bundled SDK, the function's environment): the state
 * machine routes on the error names they throw, which a minifier would rename.
 */
describe('npx cdk synth and the Lambda assets it ships', () => {
  let outdir: string;
  let template: Template;
  let stacks: string[];
  let environment: Template;
  let validationReport: unknown;
  const assetOf = new Map<string, string>();

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-synth-'));
    const result = spawnSync(
      'npx',
      ['cdk', 'synth', '--quiet', '--output', outdir, '-c', 'config=config/reference.json'],
      {
        cwd: ROOT,
        // No credentials and no Docker: synth must work offline and bundle with the local esbuild.
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_PROFILE: '',
          CDK_DOCKER: 'false-docker',
        },
        encoding: 'utf8',
      },
    );
    if (result.status !== 0 || /not compatible/.test(result.stderr)) {
      throw new Error(`cdk synth failed: ${result.stdout}${result.stderr}`);
    }
    const read = (file: string) => JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
    stacks = fs
      .readdirSync(outdir)
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => file.replace('.template.json', ''));
    template = read('WebappBlueGreen.template.json');
    environment = read('BlueGreenReferenceEnvironment.template.json');
    // aws-cdk-lib's built-in validation writes it when it ran.
    const report = path.join(outdir, 'validation-report.json');
    validationReport = fs.existsSync(report) ? read('validation-report.json') : undefined;
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const asset = resource.Metadata?.['aws:asset:path'];
      if (typeof asset === 'string') assetOf.set(logicalId, path.join(outdir, asset, 'index.js'));
    }
  }, 180_000);

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it('yields both stacks of the reference configuration, validated by the built-in validation', () => {
    expect(stacks.sort()).toEqual(['BlueGreenReferenceEnvironment', 'WebappBlueGreen']);
    expect(validationReport).toMatchObject({ pluginReports: [] });
    const groups = Object.values(environment.Resources).filter(
      (resource) => resource.Type === 'AWS::AutoScaling::AutoScalingGroup',
    );
    expect(groups).toHaveLength(2);
  });

  it('yields the state machine, one Lambda per step, each with its own asset, the AMI rule', () => {
    const count = (type: string) =>
      Object.values(template.Resources).filter((resource) => resource.Type === type).length;
    expect(count('AWS::StepFunctions::StateMachine')).toBe(1);
    expect(count('AWS::Lambda::Function')).toBe(STEP_NAMES.length);
    // The AMI rule, and the recovery's rule on the state machine's status changes (docs/recovery.md).
    expect(count('AWS::Events::Rule')).toBe(2);
    expect(new Set(assetOf.values()).size).toBe(STEP_NAMES.length);
  });

  it('keeps, as a string in some asset, every error name the state machine retries or catches on', () => {
    const asl = resolveDefinition(template, {
      region: 'us-east-1',
      accountId: '123456789012',
      // The reference environment's exports (target groups, alarms): only the routing matters here.
      importValue: (exportName) => `imported:${exportName}`,
    });
    const routed = new Set<string>();
    const visit = (states: Record<string, unknown>) => {
      for (const state of Object.values(states) as {
        Retry?: { ErrorEquals: string[] }[];
        Catch?: { ErrorEquals: string[] }[];
        Branches?: { States: Record<string, unknown> }[];
      }[]) {
        for (const rule of [...(state.Retry ?? []), ...(state.Catch ?? [])]) {
          rule.ErrorEquals.forEach((name) => routed.add(name));
        }
        state.Branches?.forEach((branch) => visit(branch.States));
      }
    };
    visit(asl.States);
    const own = [...routed].filter((name) => !name.startsWith('States.') && !name.startsWith('Lambda.'));
    expect(own.length).toBeGreaterThan(0);
    const bundles = [...assetOf.values()].map((file) => fs.readFileSync(file, 'utf8'));
    for (const name of own) {
      expect([name, bundles.some((code) => code.includes(`"${name}"`))]).toEqual([name, true]);
    }
  });

  it('every asset rejects a malformed event as InvalidInputError, by that name', async () => {
    const results = await runInAssets([...assetOf.values()], {}, {});
    for (const result of results) expect(result).toMatchObject({ errorName: 'InvalidInputError' });
  }, 60_000);

  it('an AWS fault that outlives the SDK retries reaches the state machine as TransientAwsError', async () => {
    // Every request gets a 500, as AWS answers an internal failure; the asset's own SDK makes the call.
    const server = http.createServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/xml' });
      response.end(
        '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>simulated</Message></Error><RequestId>1</RequestId></ErrorResponse>',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const scaleToZero = [...assetOf.entries()].find(([id]) => id.includes('scalegrouptozero'))?.[1];
      expect(scaleToZero).toBeDefined();
      const [result] = await runInAssets(
        [scaleToZero as string],
        { groupName: 'webapp-green' },
        { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_MAX_ATTEMPTS: '1' },
      );
      expect(result).toMatchObject({ errorName: 'TransientAwsError' });
    } finally {
      server.close();
    }
  }, 60_000);
});

/** Loads each asset in a fresh Node process with the function's environment and invokes its handler. */
async function runInAssets(
  files: string[],
  event: unknown,
  env: Record<string, string>,
): Promise<{ file: string; errorName?: string; output?: unknown }[]> {
  const script = `
    const results = [];
    (async () => {
      for (const file of ${JSON.stringify(files)}) {
        try {
          const output = await require(file).handler(${JSON.stringify(event)}, {});
          results.push({ file, output });
        } catch (error) {
          results.push({ file, errorName: error.name });
        }
      }
      process.stdout.write(JSON.stringify(results));
    })();`;
  const child = spawn(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  await new Promise((resolve) => child.on('close', resolve));
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`the assets could not be run: ${stderr}`);
  }
}
