import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigurationError, loadConfig, parseConfig, type ConfigFile } from '../../infra/config';
import { buildApp } from '../../infra/app-builder';
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
      { monitoring: { alarmNames: [], rollbackWindowMinutes: 5_000 } },
      /monitoring\.rollbackWindowMinutes: .*1440/,
    ],
    [
      { monitoring: { alarmNames: [], intervalSeconds: 10, rollbackWindowMinutes: 600 } },
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
      /syntheticChecks: checks × repetitions × requestTimeoutMs must fit in 840 s/,
    ],
    [
      {
        monitoring: { alarmNames: [], rollbackWindowMinutes: 1_000, intervalSeconds: 30 },
        waits: { rollbackRecovery: { intervalSeconds: 5, timeoutSeconds: 3_600 } },
      },
      /waits: the waits and the rollback window could need more than 24000 execution history events/,
    ],
  ])('I3: %j fails cdk synth before it could fail an execution mid-rollback', (patch, message) => {
    expect(synth(withDeployment(patch))).toThrow(message);
  });

  it('I3: counts the retries the retry policy allows, so a window that fits only without them fails cdk synth', () => {
    // 950 minutes at 30 s with the default waits: 22,812 events without retries (23,631 with the rollback's
    // drain wait), under the 24,000 bound. The two draining steps' NotReadyError retries and a spent transient
    // retrier per Lambda step and per wait (9 waits on the longest path) add more than that bound leaves.
    const retries =
      (LONGEST_PATH_STEPS.notReady * RETRY_POLICY.notReady.maxAttempts +
        (LONGEST_PATH_STEPS.lambda + 9) * RETRY_POLICY.transient.maxAttempts) *
      3;
    expect(retries).toBeGreaterThan(24_000 - 23_631);
    const window = (minutes: number) =>
      withDeployment({ monitoring: { alarmNames: [], rollbackWindowMinutes: minutes, intervalSeconds: 30 } });

    let message = '';
    try {
      buildApp(window(950), testApp());
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      new RegExp(
        `waits: the waits and the rollback window could need more than 24000 execution history events ` +
          `\\(${23_631 + retries} on the longest path, ${retries} of them for the retry policy's attempts;` +
          `.*shorten the window \\(with these waits, to at most (\\d+) minutes\\)`,
      ),
    );
    // The window the message offers is the longest that fits.
    const fits = Number(/at most (\d+) minutes/.exec(message)?.[1]);
    expect(fits).toBeLessThan(950);
    expect(synth(window(fits))).not.toThrow();
    expect(synth(window(fits + 1))).toThrow(/execution history events/);
  });
});
