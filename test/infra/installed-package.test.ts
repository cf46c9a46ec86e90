import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { STEP_NAMES } from '../../state-machine/step-registry';

const ROOT = path.join(__dirname, '..', '..');
/** The repository's tsx, which runs the new app's app.ts (the app itself installs only what it uses). */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

interface Ran {
  readonly label: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function must(ran: Ran): Ran {
  if (ran.status !== 0) {
    throw new Error(`${ran.label} failed (exit ${String(ran.status)}):\n${ran.stdout}${ran.stderr}`);
  }
  return ran;
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Prints each step's staged bundle's SHA-256 and asset hash, as `cdk synth` in this repository stages it. */
const SHIPPED = `
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { copyShippedBundle, shippedAssetHash } = require('./infra/bundling');
const { STEP_NAMES } = require('./state-machine/step-registry');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipped-'));
const shipped = {};
for (const step of STEP_NAMES) {
  copyShippedBundle(step, path.join(dir, step));
  const sha256 = createHash('sha256').update(fs.readFileSync(path.join(dir, step, 'index.js'))).digest('hex');
  shipped[step] = { sha256, assetHash: shippedAssetHash(step) };
}
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(shipped));
`;

interface Template {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
}

/**
 * The construct as another CDK app gets it: `npm pack` (which builds the package: compiled JavaScript, type
 * declarations and the steps' pre-built assets), the tarball installed into a new app in a temporary
 * folder, and that app, written in TypeScript against the installed declarations, type-checked, compiled
 * and synthesized. The app passes CDK objects (groups, a target group, alarms and a topic of another stack,
 * imported ones) and reads the rest from a configuration file of its own.
 *
 * The install is npm's, from the tarball, so the package lands in the app's node_modules as a user gets
 * it (a copy, `files` and `exports` applied). Its peer dependencies (aws-cdk-lib, constructs) and zod are
 * links to this repository's copies, the versions the lockfile pins: an install from the npm cache would
 * need their registry metadata, which `npm ci` does not keep, and aws-cdk-lib's 40 MB tarball; linked, the
 * install is offline and takes seconds, and the app and the package share one aws-cdk-lib, as they do
 * once installed for real. Neither esbuild nor the AWS SDK is there: the assets must be the pre-built ones.
 */
describe('the packaged construct, installed into a new CDK app', () => {
  let work: string;
  let app: string;
  let template: Template;
  let typecheck: Ran;
  /** Each step's bundle as a synth in this repository stages it: its SHA-256, and the asset hash it gets. */
  let shipped: Record<string, { sha256: string; assetHash: string }>;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'installed-package-'));
    must(await run('npm pack', 'npm', ['pack', '--pack-destination', work], ROOT));
    // The repository's staged bundles (in its cache now), as `cdk synth` here computes them: with tsx, as
    // the bundles' cache key includes the esbuild plugin's compiled source, which ts-jest compiles otherwise.
    const repositoryAssets = run(
      'repository assets',
      process.execPath,
      ['--import', 'tsx', '-e', SHIPPED],
      ROOT,
    );
    const tarball = fs.readdirSync(work).find((file) => file.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack wrote no tarball in ${work}`);
    app = path.join(work, 'app');
    fs.mkdirSync(app);
    const linked = (name: string) => `file:${path.join(ROOT, 'node_modules', name)}`;
    const files: Record<string, unknown> = {
      'package.json': {
        name: 'consumer-app',
        private: true,
        dependencies: {
          'asg-blue-green': `file:../${tarball}`,
          'aws-cdk-lib': linked('aws-cdk-lib'),
          constructs: linked('constructs'),
          zod: linked('zod'),
        },
      },
      'tsconfig.json': {
        compilerOptions: {
          target: 'ES2022',
          // node16: the package is found through its `exports` map, `types` condition included.
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['app.ts'],
      },
      'blue-green.json': {
        $schema: './node_modules/asg-blue-green/config/schema.json',
        environment: 'existing',
        deployment: {
          applicationName: 'webapp',
          groups: { blue: 'file-blue', green: 'file-green' },
          targetGroups: {
            main: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/file-main/0123456789abcdef',
            synthetic:
              'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/file-synthetic/fedcba9876543210',
          },
          amiSelector: { tag: { key: 'Application', value: 'webapp' } },
          syntheticChecks: { endpoint: 'http://webapp.example.com', checks: [{ path: '/health' }] },
          monitoring: { alarmNames: ['file-alarm'], rollbackWindowMinutes: 30 },
        },
      },
    };
    for (const [file, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(app, file), JSON.stringify(content, null, 2));
    }
    fs.writeFileSync(path.join(app, 'app.ts'), APP);

    must(
      await run('npm install', 'npm', ['install', '--offline', '--ignore-scripts', '--no-package-lock'], app),
    );
    // The type check and the synth side by side: the app runs with tsx, which does not check types.
    const checked = run('tsc', process.execPath, [require.resolve('typescript/bin/tsc'), '-p', app], app);
    const synthesized = run('synth', process.execPath, ['--import', TSX, 'app.ts'], app, {
      // No credentials, and no Docker: nothing is bundled in this app.
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
      CDK_DOCKER: 'false-docker',
      CDK_OUTDIR: path.join(app, 'cdk.out'),
    });
    typecheck = await checked;
    must(await synthesized);
    shipped = JSON.parse(must(await repositoryAssets).stdout) as typeof shipped;
    template = JSON.parse(
      fs.readFileSync(path.join(app, 'cdk.out', 'Orchestrator.template.json'), 'utf8'),
    ) as Template;
  }, 300_000);

  /** Runs a command, its output collected and its time recorded under `label`. */
  function run(label: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    return new Promise<Ran>((resolve) => {
      child.on('error', (error) => (stderr += String(error)));
      child.on('close', (status) => {
        timings[label] = Date.now() - started;
        resolve({ label, status, stdout, stderr });
      });
    });
  }

  afterAll(() => {
    if (process.env.INSTALLED_PACKAGE_TIMINGS) process.stderr.write(`${JSON.stringify(timings)}\n`);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('installs as a package: compiled entry point and declarations, exports map, no build tools', () => {
    const installed = path.join(app, 'node_modules', 'asg-blue-green');
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(manifest.exports)).toContain('.');
    for (const file of ['dist/infra/index.js', 'dist/infra/index.d.ts', 'config/schema.json']) {
      expect([file, fs.existsSync(path.join(installed, file))]).toEqual([file, true]);
    }
    // Sources, tests and the simulator stay out of the package.
    expect(fs.readdirSync(installed).sort()).toEqual(['README.md', 'config', 'dist', 'package.json']);
    for (const tool of ['esbuild', 'tsx', '@aws-sdk', 'typescript']) {
      expect([tool, fs.existsSync(path.join(app, 'node_modules', tool))]).toEqual([tool, false]);
    }
  });

  it("type-checks an app written against the package's declarations", () => {
    expect(`${typecheck.stdout}${typecheck.stderr}`).toBe('');
    expect(typecheck.status).toBe(0);
  });

  it('synthesizes the state machine and one function per step, on the assets a synth here ships', () => {
    const ofType = (type: string) =>
      Object.values(template.Resources).filter((resource) => resource.Type === type);
    expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(1);
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(STEP_NAMES.length);
    // Each step's asset is byte for byte the bundle a synth here stages (test/infra/cdk-synth.test.ts runs
    // those), under the same asset hash.
    const stepOf = new Map(Object.entries(shipped).map(([step, { sha256 }]) => [sha256, step]));
    const stepsOfAssets = functions.map((fn) => {
      const key = String((fn.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key);
      const asset = path.join(app, 'cdk.out', `asset.${key.replace(/\.zip$/, '')}`);
      expect([key, fs.readdirSync(asset)]).toEqual([key, ['index.js']]);
      return stepOf.get(sha256(path.join(asset, 'index.js')));
    });
    expect(stepsOfAssets.sort()).toEqual([...STEP_NAMES].sort());
    const manifest = JSON.parse(
      fs.readFileSync(
        path.join(app, 'node_modules', 'asg-blue-green', 'dist', 'assets', 'manifest.json'),
        'utf8',
      ),
    ) as { assetHashes: Record<string, string> };
    expect(manifest.assetHashes).toEqual(
      Object.fromEntries(Object.entries(shipped).map(([step, { assetHash }]) => [step, assetHash])),
    );
  });

  it('takes the groups, target groups, alarms and topic from CDK objects, the rest from the file', () => {
    const stateMachine = Object.values(template.Resources).find(
      (resource) => resource.Type === 'AWS::StepFunctions::StateMachine',
    );
    const definition = JSON.stringify(stateMachine?.Properties?.DefinitionString);
    const text = JSON.stringify(template);
    // The blue group, main target group, errors alarm and topic are the Application stack's: imported.
    const imports = [...text.matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map(([, name]) => name);
    expect(imports.some((name) => name.includes('Blue'))).toBe(true);
    expect(imports.some((name) => name.includes('Main'))).toBe(true);
    expect(imports.some((name) => name.includes('Errors'))).toBe(true);
    expect(imports.some((name) => name.includes('Topic'))).toBe(true);
    // The imported ones by their names and ARNs, in place of the file's.
    expect(definition).toContain('webapp-green');
    expect(definition).toContain('targetgroup/webapp-synthetic/fedcba9876543210');
    expect(definition).toContain('webapp-p99-latency');
    expect(definition).toContain('webapp-unhealthy-hosts');
    expect(text).not.toMatch(/file-(blue|green|main|synthetic|alarm)/);
    // The file's own settings.
    expect(definition).toContain('http://webapp.example.com');
    // Permissions scoped to the groups, both the imported and the created one.
    expect(text).toContain('autoScalingGroupName/webapp-green');
  });
});

/** The new app: an application stack with the groups, target group, alarm and topic, and the orchestrator. */
const APP = `import { App, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BlueGreenDeployment, loadDeploymentProps, type BlueGreenDeploymentProps } from 'asg-blue-green';

const app = new App();
const env = { account: '123456789012', region: 'us-east-1' };

const application = new Stack(app, 'Application', { env });
const vpc = new ec2.Vpc(application, 'Vpc', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
});
const launchTemplate = new ec2.LaunchTemplate(application, 'Template', {
  machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  instanceType: new ec2.InstanceType('t3.micro'),
});
const blue = new autoscaling.AutoScalingGroup(application, 'Blue', { vpc, launchTemplate, minCapacity: 0 });
const main = new elbv2.ApplicationTargetGroup(application, 'Main', { vpc, port: 80 });
const errors = new cloudwatch.Alarm(application, 'Errors', {
  metric: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count' }),
  threshold: 1,
  evaluationPeriods: 1,
});
const topic = new sns.Topic(application, 'Topic');

const orchestrator = new Stack(app, 'Orchestrator', { env });
const configured = loadDeploymentProps('blue-green.json');
const props: BlueGreenDeploymentProps = {
  ...configured,
  groups: {
    blue,
    green: autoscaling.AutoScalingGroup.fromAutoScalingGroupName(orchestrator, 'Green', 'webapp-green'),
  },
  targetGroups: {
    main,
    synthetic: elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(orchestrator, 'Synthetic', {
      targetGroupArn:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-synthetic/fedcba9876543210',
    }),
  },
  monitoring: {
    ...configured.monitoring,
    alarmNames: [
      errors,
      cloudwatch.Alarm.fromAlarmArn(orchestrator, 'Latency', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:webapp-p99-latency'),
      'webapp-unhealthy-hosts',
    ],
  },
  notificationTopic: topic,
};
new BlueGreenDeployment(orchestrator, 'Deployment', props);
app.synth();
`;
