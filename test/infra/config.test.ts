import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Fn, Stack, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigurationError, loadConfig, parseConfig, type ConfigFile } from '../../infra/config';
import { buildApp } from '../../infra/app-builder';
import { configFileFromContext } from '../../infra/app-context';
import { BlueGreenDeployment, type BlueGreenDeploymentProps } from '../../infra/blue-green-deployment';
import { LONGEST_PATH_STEPS } from '../../lambdas/shared/settings';
import { RETRY_POLICY } from '../../lambdas/shared/retry-policy';
import { EXAMPLE_CONFIG, testApp } from '../support/synth';

const example = loadConfig(EXAMPLE_CONFIG);

/** The example configuration with one part of `deployment` replaced. */
function withDeployment(patch: Record<string, unknown>): ConfigFile {
  return { ...example, deployment: { ...example.deployment, ...patch } } as ConfigFile;
}

const synth = (config: ConfigFile) => () => buildApp(config, testApp());

describe('the configuration file', () => {
  it('ships an example that synthesizes', () => {
    expect(synth(example)).not.toThrow();
  });

  it('ships a reference-environment configuration that synthesizes both stacks, wired by reference', () => {
    const built = buildApp(
      loadConfig(path.join(__dirname, '..', '..', 'config', 'reference.json')),
      testApp(),
    );
    expect(built.environment).toBeDefined();
    const orchestrator = JSON.stringify(Template.fromStack(built.orchestrator).toJSON());
    expect(orchestrator).toContain('Fn::ImportValue');
    expect(orchestrator).toContain('webapp-blue');
  });

  it.each([
    [
      { monitoring: { alarmNames: ['webapp-target-5xx'], rollbackWindowMinutes: 5_000 } },
      /monitoring\.rollbackWindowMinutes: .*1440/,
    ],
    [
      { monitoring: { alarmNames: ['webapp-target-5xx'], intervalSeconds: 10, rollbackWindowMinutes: 600 } },
      /intervalSeconds must be at most 2000.*raise intervalSeconds/,
    ],
    [{ groups: { blue: 'same', green: 'same' } }, /groups: blue and green must be two different/],
    [
      { targetGroups: { main: 'not-an-arn', synthetic: 'x' } },
      /targetGroups\.main: must be a target group ARN/,
    ],
    [{ amiSelector: {} }, /amiSelector: set "tag" or "namePattern"/],
    [{ capacity: { min: 3, desired: 2, max: 4 } }, /capacity: must satisfy min <= desired <= max/],
    [
      { syntheticChecks: { endpoint: 'not a url', checks: [{ path: '/' }] } },
      /syntheticChecks\.endpoint: must be an http\(s\) URL/,
    ],
    [
      { syntheticChecks: { endpoint: 'http://alb', checks: [{ path: 'health' }] } },
      /syntheticChecks\.checks\.0\.path: must start with "\/"/,
    ],
    [
      { waits: { groupEmpty: { intervalSeconds: 1, timeoutSeconds: 60 } } },
      /waits\.groupEmpty\.intervalSeconds/,
    ],
    [{ applicationName: 'my app!' }, /applicationName: must be 1–40 letters/],
    [
      { imageBuilder: { pipelineArns: ['arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline'] } },
      /imageBuilder\.pipelineArns\.0: must be an image pipeline ARN/,
    ],
    [
      // The image's event reaches only the pipeline's own account's and Region's default bus.
      {
        imageBuilder: { pipelineArns: ['arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/webapp'] },
      },
      /imageBuilder\.pipelineArns\.0: is in eu-west-1, account 123456789012, but the application is in us-east-1.*would never start a deployment/,
    ],
  ])('fails cdk synth on %j naming the field and what is allowed', (patch, message) => {
    expect(synth(withDeployment(patch))).toThrow(message);
  });

  it('rejects unknown top-level keys and bad construct-only fields with the field named', () => {
    expect(() => parseConfig({ ...example, enviroment: 'existing' }, 'my.json')).toThrow(
      /my\.json: .*enviroment/,
    );
    expect(() =>
      parseConfig({ ...example, deployment: { ...example.deployment, launchTemplateIds: ['x'] } }, 'my.json'),
    ).toThrow(/deployment\.launchTemplateIds\.0: must be a launch template id/);
  });

  it('names what is missing when an existing environment is not described', () => {
    expect(
      synth({ environment: 'existing', deployment: { applicationName: 'webapp' } } as ConfigFile),
    ).toThrow(ConfigurationError);
    expect(
      synth({ environment: 'existing', deployment: { applicationName: 'webapp' } } as ConfigFile),
    ).toThrow(/missing groups, targetGroups, amiSelector, syntheticChecks, monitoring/);
  });

  it('reports an unreadable file by name', () => {
    expect(() => loadConfig('/nonexistent/config.json')).toThrow(/\/nonexistent\/config\.json: cannot read/);
  });
});

describe('bounds that protect a running deployment', () => {
  it.each([
    [{ capacity: { min: 0, desired: 0, max: 4 } }, /capacity: desired must be at least 1/],
    [
      {
        syntheticChecks: {
          endpoint: 'http://alb',
          checks: [{ path: '/' }],
          repetitions: 100,
          requestTimeoutMs: 30_000,
        },
      },
      /syntheticChecks: checks × repetitions × requestTimeoutMs must fit in 870 s/,
    ],
    [
      {
        monitoring: { alarmNames: ['webapp-target-5xx'], rollbackWindowMinutes: 1_000, intervalSeconds: 30 },
        waits: { rollbackRecovery: { intervalSeconds: 5, timeoutSeconds: 3_600 } },
      },
      /waits: the waits and the rollback window could need more than 24000 execution history events/,
    ],
  ])('I3: %j fails cdk synth before it could fail an execution mid-rollback', (patch, message) => {
    expect(synth(withDeployment(patch))).toThrow(message);
  });

  it('I3: counts the retries the retry policy allows, so a window that fits only without them fails cdk synth', () => {
    // 710 minutes at 30 s with the default waits: 23,946 events without retries (the rollback's drain wait,
    // the wait for an AMI event's tags, the wait for a queued request's turn, and the two waits for the
    // instances added to match production's capacity included), under the 24,000 bound. The two draining
    // steps' NotReadyError retries and a spent transient retrier per Lambda step and per wait (13 waits on
    // the longest path) add more than that bound leaves.
    const retries =
      (LONGEST_PATH_STEPS.notReady * RETRY_POLICY.notReady.maxAttempts +
        (LONGEST_PATH_STEPS.lambda + 13) * RETRY_POLICY.transient.maxAttempts) *
      3;
    expect(retries).toBeGreaterThan(24_000 - 23_946);
    const window = (minutes: number) =>
      withDeployment({
        monitoring: {
          alarmNames: ['webapp-target-5xx'],
          rollbackWindowMinutes: minutes,
          intervalSeconds: 30,
        },
      });

    let message = '';
    try {
      buildApp(window(710), testApp());
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      new RegExp(
        `waits: the waits and the rollback window could need more than 24000 execution history events ` +
          `\\(${23_946 + retries} on the longest path, ${retries} of them for the retry policy's attempts;` +
          `.*shorten the window \\(with these waits, to at most (\\d+) minutes\\)`,
      ),
    );
    // The window the message offers is the longest that fits.
    const fits = Number(/at most (\d+) minutes/.exec(message)?.[1]);
    expect(fits).toBeLessThan(710);
    expect(synth(window(fits))).not.toThrow();
    expect(synth(window(fits + 1))).toThrow(/execution history events/);
  });
});

/** The example file as written (before defaults), with `change` applied to a copy. */
function rawExample(
  change: (config: { deployment: Record<string, unknown> } & Record<string, unknown>) => void,
) {
  const raw = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, 'utf8'));
  change(raw);
  return raw;
}

const { main: MAIN, synthetic: SYNTHETIC } = example.deployment.targetGroups as {
  main: string;
  synthetic: string;
};
const ROOT = path.join(__dirname, '..', '..');

describe('values refused with the field and the fix', () => {
  it.each([
    [
      { targetGroups: { main: MAIN, synthetic: SYNTHETIC.replace('us-east-1', 'eu-west-1') } },
      /targetGroups\.synthetic: is in eu-west-1, not us-east-1 \(main is in us-east-1, account 123456789012\): the orchestrator, the Auto Scaling groups and the target groups must share one Region and account; use the synthetic target group of the load balancer whose listener forwards to main/,
    ],
    [
      { targetGroups: { main: MAIN, synthetic: SYNTHETIC.replace('123456789012', '210987654321') } },
      /targetGroups\.synthetic: is in account 210987654321, not 123456789012 \(main is in us-east-1/,
    ],
    [
      { syntheticChecks: { endpoint: 'ftp://alb.example.com', checks: [{ path: '/' }] } },
      /syntheticChecks\.endpoint: must be an http\(s\) URL of the load balancer, .*\(http:\/\/ or https:\/\/\)/,
    ],
    [
      { syntheticChecks: { endpoint: 'file:///etc/hosts', checks: [{ path: '/' }] } },
      /syntheticChecks\.endpoint: must be an http\(s\) URL/,
    ],
    [
      { monitoring: { alarmNames: [] } },
      /monitoring\.alarmNames: is empty: the rollback window would watch only target health.*Name at least one CloudWatch alarm \(metric or composite\), or set "allowNoAlarms": true/,
    ],
  ])('%j fails cdk synth', (patch, message) => {
    expect(synth(withDeployment(patch))).toThrow(ConfigurationError);
    expect(synth(withDeployment(patch))).toThrow(message);
  });

  it('deploys without alarms only when monitoring.allowNoAlarms says so, and the monitor step receives it', () => {
    const built = buildApp(
      withDeployment({ monitoring: { alarmNames: [], allowNoAlarms: true } }),
      testApp(),
    );
    expect(built.orchestrator.deployment.settings.monitoring).toMatchObject({
      alarmNames: [],
      allowNoAlarms: true,
    });
    expect(JSON.stringify(Template.fromStack(built.orchestrator).toJSON())).toContain('allowNoAlarms');
    // With alarms, the opt-out changes nothing.
    expect(
      synth(withDeployment({ monitoring: { alarmNames: ['webapp-target-5xx'], allowNoAlarms: true } })),
    ).not.toThrow();
  });

  describe('in a CDK app of your own, the target groups must be in the Region and account of a stack with an env', () => {
    const props = example.deployment as BlueGreenDeploymentProps;
    const inStack =
      (env: Environment, deployment: BlueGreenDeploymentProps = props) =>
      () =>
        new BlueGreenDeployment(new Stack(testApp(), 'Orchestrator', { env }), 'Deployment', deployment);

    it('refuses them elsewhere, naming each', () => {
      expect(inStack({ region: 'eu-west-1', account: '123456789012' })).toThrow(
        /targetGroups\.main: is in us-east-1, not eu-west-1 \(as the stack's env says\): .*deploy the stack where they are.*; targetGroups\.synthetic: is in us-east-1, not eu-west-1/,
      );
      expect(inStack({ region: 'us-east-1', account: '210987654321' })).toThrow(
        /targetGroups\.main: is in account 123456789012, not 210987654321/,
      );
      expect(inStack({ region: 'us-east-1', account: '123456789012' })).not.toThrow();
    });

    it('checks one known only at deploy time (a token) against nothing, and the other one still', () => {
      const synthetic = SYNTHETIC.replace('us-east-1', 'eu-west-1');
      const withToken = { ...props, targetGroups: { main: Fn.importValue('MainTargetGroupArn'), synthetic } };
      expect(inStack({ region: 'eu-west-1', account: '123456789012' }, withToken)).not.toThrow();
      expect(inStack({ region: 'us-east-1', account: '123456789012' }, withToken)).toThrow(
        /targetGroups\.synthetic: is in eu-west-1, not us-east-1 \(as the stack's env says\)/,
      );
    });

    it("checks an Image Builder pipeline against the stack's env when the target groups are tokens", () => {
      const tokens = {
        main: Fn.importValue('MainTargetGroupArn'),
        synthetic: Fn.importValue('SyntheticArn'),
      };
      const pipeline = (region: string) => ({
        ...props,
        targetGroups: tokens,
        imageBuilder: { pipelineArns: [`arn:aws:imagebuilder:${region}:111122223333:image-pipeline/webapp`] },
      });
      const env = { region: 'eu-west-1', account: '111122223333' };
      expect(inStack(env, pipeline('eu-west-1'))).not.toThrow();
      expect(inStack(env, pipeline('us-east-1'))).toThrow(
        /imageBuilder\.pipelineArns\.0: is in us-east-1, account 111122223333, but the application is in eu-west-1/,
      );
      // Nothing known of where the application is: nothing to compare with.
      expect(
        () => new BlueGreenDeployment(new Stack(testApp(), 'Anywhere'), 'Deployment', pipeline('us-east-1')),
      ).not.toThrow();
    });
  });
});

describe('configuration errors: one "file: field: problem" line each', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-errors-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, config: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(config));
    return file;
  };

  it('names the file and every bad field of an existing environment when the file is read', () => {
    const file = write(
      'bad.json',
      rawExample((raw) => {
        const deployment = raw.deployment as Record<string, Record<string, unknown>>;
        deployment.monitoring = { alarmNames: [], rollbackWindowMinutes: 5_000 };
        deployment.syntheticChecks.endpoint = 'ftp://alb.example.com';
      }),
    );
    let error: unknown;
    try {
      loadConfig(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const lines = (error as Error).message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        `${file}: deployment.syntheticChecks.endpoint: must be an http(s) URL of the load balancer, e.g. "http://my-alb.example.com" (http:// or https://)`,
        `${file}: deployment.monitoring.rollbackWindowMinutes: Too big: expected number to be <=1440`,
        expect.stringMatching(new RegExp(`^${file}: deployment\\.monitoring\\.alarmNames: is empty: `)),
      ]),
    );
    for (const line of lines) expect(line).toMatch(new RegExp(`^${file}: deployment\\.[\\w.]+: \\S`));
  });

  it.each([
    [
      (raw: Record<string, unknown>) => (raw.enviroment = 'existing'),
      'my.json: unknown field "enviroment": did you mean "environment"?',
    ],
    [
      (raw: { deployment: Record<string, unknown> }) =>
        (raw.deployment.capacty = { min: 1, desired: 2, max: 4 }),
      'my.json: deployment: unknown field "capacty": did you mean "capacity"?',
    ],
    [
      (raw: { deployment: Record<string, Record<string, unknown>> }) => {
        raw.deployment.monitoring.alarmName = raw.deployment.monitoring.alarmNames;
        delete raw.deployment.monitoring.alarmNames;
      },
      'my.json: deployment.monitoring: unknown field "alarmName": did you mean "alarmNames"?',
    ],
    [
      (raw: { deployment: { syntheticChecks: { checks: Record<string, unknown>[] } } }) =>
        (raw.deployment.syntheticChecks.checks[0].bodyInclude = 'ok'),
      'my.json: deployment.syntheticChecks.checks.0: unknown field "bodyInclude": did you mean "bodyIncludes"?',
    ],
    [
      // The construct sets it from notificationTopic: the file cannot.
      (raw: { deployment: Record<string, unknown> }) =>
        (raw.deployment.notificationTopicArn = 'arn:aws:sns:us-east-1:123456789012:deployments'),
      /^my\.json: deployment: unknown field "notificationTopicArn"; allowed: applicationName, .*notificationTopic$/m,
    ],
  ])('refuses an unknown field, naming the one it most likely meant (%#)', (change, message) => {
    const raw = rawExample(change as (raw: Record<string, unknown>) => void);
    if (typeof message === 'string') {
      expect(() => parseConfig(raw, 'my.json')).toThrow(
        new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
      );
    } else {
      expect(() => parseConfig(raw, 'my.json')).toThrow(message);
    }
  });

  /** infra/app.ts as the CDK CLI runs it: the context in CDK_CONTEXT_JSON. */
  const runApp = (context: Record<string, unknown>) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join('infra', 'app.ts')], {
      cwd: ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: dir },
      encoding: 'utf8',
    });

  it('the CDK app prints them on standard error, exit 1, no stack trace: read from the file, or found by the construct', () => {
    const existing = write(
      'existing.json',
      rawExample((raw) => ((raw.deployment.syntheticChecks as Record<string, unknown>).endpoint = 'ftp://x')),
    );
    const fromFile = runApp({ config: existing });
    expect([fromFile.status, fromFile.stdout]).toEqual([1, '']);
    expect(fromFile.stderr).toBe(
      `${existing}: deployment.syntheticChecks.endpoint: must be an http(s) URL of the load balancer, e.g. "http://my-alb.example.com" (http:// or https://)\n`,
    );

    // The reference environment completes the settings in the construct, which names its props' fields.
    const reference = write('reference.json', {
      environment: 'reference',
      deployment: {
        amiSelector: { namePattern: '^webapp-' },
        monitoring: { rollbackWindowMinutes: 60, alarmNames: [] },
      },
    });
    const fromConstruct = runApp({ config: reference });
    expect([fromConstruct.status, fromConstruct.stdout]).toEqual([1, '']);
    expect(fromConstruct.stderr).toMatch(
      new RegExp(`^${reference}: deployment\\.monitoring\\.alarmNames: is empty: [^\\n]*\\n$`),
    );
  }, 60_000);

  it('npx cdk synth with a bad configuration: the same lines, and no stack trace', () => {
    const file = write(
      'regions.json',
      rawExample((raw) => {
        const targetGroups = raw.deployment.targetGroups as Record<string, string>;
        targetGroups.synthetic = targetGroups.synthetic.replace('us-east-1', 'eu-west-1');
      }),
    );
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', dir, '-c', `config=${file}`], {
      cwd: ROOT,
      env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' },
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      `${file}: deployment.targetGroups.synthetic: is in eu-west-1, not us-east-1 (main is in us-east-1, account 123456789012)`,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});

describe('the CDK context: -c config=FILE', () => {
  it('defaults to the example, and leaves the CDK’s own keys alone', () => {
    expect(configFileFromContext({})).toBe(path.join('config', 'example.json'));
    expect(
      configFileFromContext({
        config: 'config/my-app.json',
        'aws:cdk:bundling-stacks': [],
        '@aws-cdk/core:newStyleStackSynthesis': true,
        'availability-zones:account=123456789012:region=us-east-1': ['us-east-1a'],
      }),
    ).toBe('config/my-app.json');
  });

  it.each([
    [{ confg: 'my.json' }, '-c confg'],
    [{ cofnig: 'my.json' }, '-c cofnig'],
    [{ Config: 'my.json' }, '-c Config'],
    [{ configFile: 'my.json' }, '-c configFile'],
    [{ 'config-file': 'my.json' }, '-c config-file'],
  ])('refuses %j, naming -c config', (context, key) => {
    expect(() => configFileFromContext(context)).toThrow(ConfigurationError);
    expect(() => configFileFromContext(context)).toThrow(
      `${key}: unknown context key: did you mean -c config=…? (this app reads -c config)`,
    );
  });

  it.each([[{ config: '' }], [{ config: true }]])('refuses %j, saying what it takes', (context) => {
    expect(() => configFileFromContext(context)).toThrow(
      '-c config: must be the path of a configuration file, e.g. -c config=config/my-app.json',
    );
  });

  it('npx cdk synth -c confg=… fails naming -c config, instead of quietly synthesizing the example', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join('infra', 'app.ts')], {
      cwd: ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ confg: 'config/reference.json' }) },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'Invalid CDK context: -c confg: unknown context key: did you mean -c config=…? (this app reads -c config)\n',
    );
  }, 60_000);
});
