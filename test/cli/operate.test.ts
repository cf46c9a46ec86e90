import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { Io } from '../../cli/operations/io';
import { COMMANDS, runOps } from '../../cli/operations/ops';
import { SimulatedAccount } from '../../simulator/account/account';
import { defaultEnvironment } from '../../simulator/account/environment';
import { VirtualClock } from '../../simulator/engine/clock';

const ROOT = path.join(__dirname, '..', '..');
const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-blue-green-deployment';
const EXECUTION =
  'arn:aws:states:us-east-1:123456789012:execution:webapp-blue-green-deployment:deployment-0001';
const AMI = 'ami-0123456789abcdef0';
const MAIN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-main/0123456789abcdef';

async function ops(...argv: string[]) {
  const lines = { out: [] as string[], err: [] as string[] };
  const io: Io = {
    out: (line) => lines.out.push(line),
    err: (line) => lines.err.push(line),
    sleep: async () => undefined,
  };
  const code = await runOps(argv, io);
  return { code, out: lines.out.join('\n'), err: lines.err.join('\n') };
}

describe('npm run ops: usage errors exit 2 with a message that names the option and the fix, before any AWS call', () => {
  let sfn: ReturnType<typeof mockClient>;
  let autoScaling: ReturnType<typeof mockClient>;

  beforeEach(() => {
    sfn = mockClient(SFNClient);
    autoScaling = mockClient(AutoScalingClient);
  });
  afterEach(() => {
    sfn.restore();
    autoScaling.restore();
  });

  it.each([
    [[], /Usage: npm run ops -- <command>/],
    [
      ['launch'],
      /unknown command "launch"; choose one of: deploy, status, watch, history, promote, rollback/,
    ],
    [['deploy', '--state-machine-arn', SM], /--ami is required, e.g. --ami ami-0123456789abcdef0/],
    [
      ['deploy', '--ami', 'ami-12345', '--state-machine-arn', SM],
      /--ami must be "ami-" followed by 8 or 17 lowercase hex digits, e\.g\. "ami-0123456789abcdef0", got "ami-12345"/,
    ],
    [['deploy', '--ami', 'AMI-0123456789ABCDEF0', '--state-machine-arn', SM], /--ami must be "ami-"/],
    [['deploy', '--ami'], /--ami needs a value/],
    [['deploy', AMI], /unexpected argument "ami-0123456789abcdef0": every value follows its option/],
    [['deploy', '--ami', AMI, '--state-machine-arn', SM, '--colour', 'blue'], /unknown option --colour/],
    [
      ['deploy', '--ami', AMI],
      /no state machine given: give --state-machine-arn ARN, or --config FILE with --region and --account-id/,
    ],
    [
      ['deploy', '--ami', AMI, '--state-machine-arn', 'webapp'],
      /--state-machine-arn must be a state machine ARN like arn:aws:states:/,
    ],
    [
      ['deploy', '--ami', AMI, '--state-machine-arn', SM, '--config', 'config/example.json'],
      /--state-machine-arn and --config cannot be combined/,
    ],
    [
      // --config alone reads the stack's outputs; --account-id is there to build the ARN, with --region.
      ['deploy', '--ami', AMI, '--config', 'config/example.json', '--account-id', '123456789012'],
      /--account-id builds the ARN with --region: add --region REGION, or drop --account-id/,
    ],
    [
      ['status', '--execution', 'release-42', '--config', 'config/example.json', '--region', 'Virginia'],
      /--region must be an AWS Region like us-east-1, got "Virginia"/,
    ],
    [
      [
        'deploy',
        '--ami',
        AMI,
        '--config',
        'config/example.json',
        '--region',
        'Virginia',
        '--account-id',
        '123456789012',
      ],
      /--region must be an AWS Region like us-east-1, got "Virginia"/,
    ],
    [
      [
        'deploy',
        '--ami',
        AMI,
        '--config',
        'config/example.json',
        '--region',
        'us-east-1',
        '--account-id',
        '1234',
      ],
      /--account-id must be a 12-digit AWS account id/,
    ],
    [
      ['deploy', '--ami', AMI, '--region', 'us-east-1'],
      /--region and --account-id name the state machine together with --config/,
    ],
    [
      [
        'deploy',
        '--ami',
        AMI,
        '--config',
        'config/missing.json',
        '--region',
        'us-east-1',
        '--account-id',
        '123456789012',
      ],
      /--config config\/missing\.json: cannot read the configuration file/,
    ],
    [
      ['deploy', '--ami', AMI, '--state-machine-arn', SM, '--window-minutes', '1441'],
      /--window-minutes takes a whole number from 0 to 1440, got "1441"/,
    ],
    [
      ['deploy', '--ami', AMI, '--state-machine-arn', SM, '--window-minutes', '1.5'],
      /--window-minutes takes a whole number/,
    ],
    [
      ['deploy', '--ami', AMI, '--state-machine-arn', SM, '--name', 'release 42'],
      /--name must be 1–80 letters, digits, - or _/,
    ],
    [
      ['deploy', '--ami', AMI, '--state-machine-arn', SM, '--interval', '5'],
      /--interval sets how often --wait polls: add --wait, or drop --interval/,
    ],
    [['deploy', '--ami', AMI, '--state-machine-arn', SM, '--wait=yes'], /--wait takes no value/],
    [['status', '--execution', 'deployment-0001'], /--execution must be "latest" or an execution ARN like/],
    [
      ['status', '--execution', EXECUTION, '--state-machine-arn', SM],
      /--state-machine-arn names the state machine for --execution latest/,
    ],
    [['status'], /no state machine given/],
    [
      ['watch', '--execution', EXECUTION, '--interval', '0'],
      /--interval takes a whole number from 1 to 300, got "0"/,
    ],
    [['promote'], /--groups is required without --config, e.g. --groups webapp-blue,webapp-green/],
    [
      ['promote', '--config', 'config/example.json', '--groups', 'a,b'],
      /--config and --groups\/--…-target-group cannot be combined/,
    ],
    [['rollback', '--groups', 'webapp-blue'], /--groups takes the two group names separated by a comma/],
    [['rollback', '--groups', 'webapp-blue,webapp-blue'], /--groups takes the two group names/],
    [['rollback', '--groups', 'webapp-blue,webapp-green'], /--main-target-group is required with --groups/],
    [
      ['rollback', '--groups', 'webapp-blue,webapp-green', '--main-target-group', MAIN],
      /--synthetic-target-group is required with --groups/,
    ],
    [
      [
        'rollback',
        '--groups',
        'a,b',
        '--main-target-group',
        'arn:aws:elasticloadbalancing:tg',
        '--synthetic-target-group',
        'x',
      ],
      /--main-target-group must be a target group ARN like/,
    ],
    [
      ['rollback', '--groups', 'a,b', '--main-target-group', MAIN, '--synthetic-target-group', MAIN],
      /the main and synthetic target groups must be two different target groups/,
    ],
    [
      ['promote', '--groups', 'a,b', '--main-target-group', 'main', '--synthetic-target-group', 'web app'],
      /--synthetic-target-group takes a target group ARN or name/,
    ],
    [
      ['promote', '--config', path.join('config', 'reference.json'), '--region', 'mars-1'],
      /--region must be an AWS Region like us-east-1, got "mars-1"/,
    ],
    // The configuration's target groups are where the orchestrator runs: a Region or account that differs
    // names another deployment (or none).
    [
      [
        'deploy',
        '--ami',
        AMI,
        '--config',
        'config/example.json',
        '--region',
        'eu-west-1',
        '--account-id',
        '123456789012',
      ],
      /^error: --config config\/example\.json: deployment\.targetGroups\.main: is in us-east-1, not eu-west-1 \(as --region eu-west-1 and --account-id 123456789012 say\): the orchestrator, the Auto Scaling groups and the target groups must share one Region and account; give the --region and --account-id of the orchestrator's stack, or the configuration file it was deployed with$/m,
    ],
    [
      [
        'deploy',
        '--ami',
        AMI,
        '--config',
        'config/example.json',
        '--region',
        'us-east-1',
        '--account-id',
        '210987654321',
      ],
      /deployment\.targetGroups\.main: is in account 123456789012, not 210987654321 \(as --region us-east-1 and --account-id 210987654321 say\)/,
    ],
    [
      ['history', '--config', 'config/example.json', '--region', 'eu-west-1'],
      /--config config\/example\.json: deployment\.targetGroups\.main: is in us-east-1, not eu-west-1 \(as --region eu-west-1 says\)/,
    ],
    [
      ['promote', '--config', 'config/example.json', '--region', 'eu-west-1'],
      /--config config\/example\.json: deployment\.targetGroups\.main: is in us-east-1, not eu-west-1 \(as --region eu-west-1 says\)/,
    ],
    [
      [
        'promote',
        '--groups',
        'a,b',
        '--main-target-group',
        MAIN,
        '--synthetic-target-group',
        MAIN.replace('us-east-1', 'eu-west-1').replace('webapp-main', 'webapp-synthetic'),
      ],
      /--synthetic-target-group is in eu-west-1, not us-east-1 \(as --main-target-group is\): .*; give the two target groups of one load balancer/,
    ],
    [
      [
        'promote',
        '--groups',
        'a,b',
        '--main-target-group',
        MAIN,
        '--synthetic-target-group',
        'webapp-synthetic',
        '--region',
        'eu-west-1',
      ],
      /--main-target-group is in us-east-1, not eu-west-1 \(as --region says\)/,
    ],
  ])('%j', async (argv, message) => {
    const { code, err } = await ops(...argv);
    expect(err).toMatch(message);
    expect(code).toBe(2);
    expect(sfn.calls()).toHaveLength(0);
    expect(autoScaling.calls()).toHaveLength(0);
  });

  it('a configuration file with a bad value: "--config file: field: problem", as cdk synth prints it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-config-'));
    try {
      const file = path.join(dir, 'my-app.json');
      const config = JSON.parse(fs.readFileSync(path.join('config', 'example.json'), 'utf8'));
      config.deployment.syntheticChecks.endpoint = 'ftp://alb.example.com';
      fs.writeFileSync(file, JSON.stringify(config));
      const { code, err } = await ops('promote', '--config', file);
      expect(code).toBe(2);
      expect(err.split('\n')[0]).toBe(
        `error: --config ${file}: deployment.syntheticChecks.endpoint: must be an http(s) URL of the load balancer, e.g. "http://my-alb.example.com" (http:// or https://)`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad configuration file names the file and the field', async () => {
    const { code, err } = await ops(
      'promote',
      '--config',
      path.join('test', 'cli', 'operate.test.ts'), // not JSON
    );
    expect(code).toBe(2);
    expect(err).toMatch(/--config test\/cli\/operate\.test\.ts: cannot read the configuration file/);
  });

  it('--help prints each command’s usage on standard output, exit 0, without any call', async () => {
    for (const { name } of COMMANDS) {
      const { code, out } = await ops(name, '--help', '--ami', 'not-even-checked');
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`^Usage: npm run ops -- ${name} `));
    }
    expect((await ops('--help')).code).toBe(0);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('npm run ops: refusals and AWS errors exit 1 with a plain message', () => {
  it('promote outside a rollback window is refused', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9));
    const account = new SimulatedAccount(defaultEnvironment(), { seed: 1 });
    account.install();
    try {
      const { code, err } = await ops('promote', '--config', path.join('config', 'reference.json'));
      expect(code).toBe(1);
      expect(err).toMatch(
        /^error: No deployment is in its rollback window: neither webapp-blue nor webapp-green is attached to the synthetic target group webapp-synthetic\. Nothing was changed; no promote was requested\./,
      );
      expect(account.apiCalls.byOperation['autoscaling:CreateOrUpdateTags']).toBeUndefined();
    } finally {
      account.uninstall();
      clock.uninstall();
    }
  });

  it('an execution that does not exist, no credentials: AWS’s error with the fix', async () => {
    const sfn = mockClient(SFNClient);
    const autoScaling = mockClient(AutoScalingClient);
    try {
      sfn.on(DescribeExecutionCommand).rejects(
        Object.assign(new Error(`Execution Does Not Exist: '${EXECUTION}'`), {
          name: 'ExecutionDoesNotExist',
        }),
      );
      const missing = await ops('status', '--execution', EXECUTION);
      expect(missing.code).toBe(1);
      expect(missing.err).toBe(
        `error: Execution Does Not Exist: '${EXECUTION}': check the execution ARN, including its Region and account.`,
      );

      autoScaling.onAnyCommand().rejects(
        Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        }),
      );
      const noCredentials = await ops('rollback', '--config', path.join('config', 'reference.json'));
      expect(noCredentials.code).toBe(1);
      expect(noCredentials.err).toMatch(
        /^error: no usable AWS credentials .* Configure the default credential chain/,
      );
    } finally {
      sfn.restore();
      autoScaling.restore();
    }
  });
});

describe('npm run ops (the entry point, spawned once)', () => {
  it('--help lists the commands and exits 0', () => {
    const result = spawnSync('npx', ['tsx', 'cli/operate.ts', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stdout).toMatch(/Usage: npm run ops -- <command> \[options\]/);
    for (const { name } of COMMANDS) expect(result.stdout).toContain(`  ${name} `);
    expect(result.status).toBe(0);
  }, 60_000);
});
