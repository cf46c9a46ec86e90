import { handler } from '../../lambdas/validate-request/handler';
import { maxRollbackWindowMinutes, settingsSchema } from '../../lambdas/shared/settings';
import type { AmiDescription } from '../../simulator/account';
import { createHarness, denying, type Harness } from '../support/account';

let h: Harness | undefined;

const AMI = 'ami-0123456789abcdef0';
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-deploy';
/** `$$.Execution` as the state machine passes it. */
const execution = executionNamed('run-1', '2025-01-01T10:00:00.000Z');

function executionNamed(name: string, startTime: string) {
  const id = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
  return { id, name, stateMachineArn: STATE_MACHINE, startTime };
}
const config = {
  applicationName: 'webapp',
  groups: { blue: 'webapp-blue', green: 'webapp-green' },
  targetGroups: {
    main: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-main/0123456789abcdef',
    synthetic: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-syn/fedcba9876543210',
  },
  amiSelector: { tag: { key: 'Application', value: 'webapp' } },
  syntheticChecks: { endpoint: 'http://alb.example.com', checks: [{ path: '/health' }] },
  monitoring: { alarmNames: ['webapp-5xx'], intervalSeconds: 30 },
};

function image(overrides: Partial<AmiDescription> = {}): AmiDescription {
  return {
    id: AMI,
    name: 'webapp-2025-01-01',
    state: 'available',
    tags: { Application: 'webapp' },
    ...overrides,
  };
}

/** An account whose only AMIs are `images`. */
function givenImages(...images: AmiDescription[]): Harness {
  h?.dispose();
  h = createHarness({ customize: (env) => (env.amis = images) });
  return h;
}

/** The calls the account received (none before the account is arranged). */
const calls = () => h?.account.apiCalls ?? { total: 0, byOperation: {} };

const event = (request: unknown, settings: unknown = config) => ({ request, config: settings, execution });

afterEach(() => {
  h?.dispose();
  h = undefined;
});

describe('validate-request', () => {
  it('accepts an available AMI of this application and carries the execution through', async () => {
    givenImages(image());

    const output = await handler(event({ amiId: AMI }));

    expect(output).toMatchObject({
      execution,
      amiId: AMI,
      trigger: 'pipeline',
      skip: false,
      skipReason: null,
      ami: { id: AMI, name: 'webapp-2025-01-01' },
    });
    expect(output.settings.applicationName).toBe('webapp');
    expect(output.settings.monitoring.rollbackWindowMinutes).toBe(60);
    expect(h?.inputs('DescribeImages')).toEqual([expect.objectContaining({ ImageIds: [AMI] })]);
  });

  it('I8: makes no call other than DescribeImages', async () => {
    givenImages(image());
    await handler(event({ amiId: AMI, overrides: { rollbackWindowMinutes: 30 } }));
    expect(calls()).toEqual({ total: 1, byOperation: { 'ec2:DescribeImages': 1 } });
  });

  it('I8: a malformed AMI id is rejected before any AWS call, naming the field and the fix', async () => {
    givenImages(image());
    const failure = handler(event({ amiId: 'ami-XYZ' }));
    await expect(failure).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(failure).rejects.toThrow(/amiId: must be "ami-" followed by 8 or 17 lowercase hex digits/);
    expect(calls().total).toBe(0);
  });

  it('I8: an unknown override is named with the allowed keys, before any AWS call', async () => {
    givenImages(image());
    await expect(handler(event({ amiId: AMI, overrides: { windowMinutes: 30 } }))).rejects.toThrow(
      'overrides: unrecognized key "windowMinutes"; allowed: rollbackWindowMinutes, capacity, shift',
    );
    expect(calls().total).toBe(0);
  });

  it('names an unknown top-level key with the allowed keys', async () => {
    await expect(handler(event({ amiId: AMI, ami: AMI }))).rejects.toThrow(
      'request: unrecognized key "ami"; allowed: amiId, trigger, overrides',
    );
  });

  it('names every bad field at once', async () => {
    const failure = handler(
      event({ amiId: 'ami-1', trigger: 'cron', overrides: { capacity: { min: 3, desired: 1, max: 2 } } }),
    );
    await expect(failure).rejects.toThrow(/amiId: must be/);
    await expect(failure).rejects.toThrow(/trigger: Invalid option/);
    await expect(failure).rejects.toThrow(/overrides\.capacity: must satisfy min <= desired <= max/);
  });

  it('rejects a request that is not an object', async () => {
    await expect(handler(event(null))).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(handler(event('ami-0123456789abcdef0'))).rejects.toThrow(/request: /);
    expect(calls().total).toBe(0);
  });

  it.each([
    [
      ['ami-0123456789abcdef0'],
      'an array; to deploy ami-0123456789abcdef0, start the execution with {"amiId": "ami-0123456789abcdef0"}',
    ],
    [[], 'an empty array'],
    [[{ amiId: AMI }, 2], 'an array of 2 items'],
    [
      'ami-0123456789abcdef0',
      'the string "ami-0123456789abcdef0"; to deploy it, start the execution with {"amiId": "ami-0123456789abcdef0"}',
    ],
    ['x'.repeat(100), `a string ("${'x'.repeat(40)}…")`],
    [7, 'a number (7)'],
    [null, 'null'],
    [true, 'a boolean (true)'],
  ])(
    'names a request that is not a JSON object (%j) and the shape it must have, before any AWS call',
    async (request, got) => {
      await expect(handler(event(request))).rejects.toMatchObject({
        name: 'InvalidInputError',
        message: `Invalid deployment request: input: must be a JSON object like {"amiId": "ami-0123456789abcdef0"}, got ${got}.`,
      });
      expect(calls().total).toBe(0);
    },
  );

  it('merges overrides into the settings', async () => {
    givenImages(image());
    const capacity = { min: 2, desired: 3, max: 6 };
    const output = await handler(event({ amiId: AMI, overrides: { rollbackWindowMinutes: 15, capacity } }));
    expect(output.settings.monitoring.rollbackWindowMinutes).toBe(15);
    expect(output.settings.monitoring.alarmNames).toEqual(['webapp-5xx']);
    expect(output.settings.capacity).toEqual(capacity);
  });

  it('merges a shift override field by field over the configured shift', async () => {
    givenImages(image());
    const output = await handler(
      event({ amiId: AMI, overrides: { shift: { mode: 'canary', canaryPercent: 5 } } }),
    );
    expect(output.settings.shift).toEqual({
      mode: 'canary',
      split: 'instances',
      canaryPercent: 5,
      linearStepPercent: 25,
      bakeMinutes: 5,
    });
  });

  it('I8: a bad shift override names its field and its bounds, before any AWS call', async () => {
    givenImages(image());
    const failure = handler(
      event({ amiId: AMI, overrides: { shift: { mode: 'canary', canaryPercent: 100 } } }),
    );
    await expect(failure).rejects.toThrow(/overrides\.shift\.canaryPercent: .*<=99/);
    expect(calls().total).toBe(0);
  });

  it('I8: a shift whose steps the execution history cannot hold names overrides.shift and the fix', async () => {
    givenImages(image());
    const failure = handler(
      event({ amiId: AMI, overrides: { shift: { mode: 'linear', linearStepPercent: 5, bakeMinutes: 20 } } }),
    );
    await expect(failure).rejects.toThrow(
      /overrides\.shift: .*takes more steps and bake time than the execution history allows.*fewer steps/,
    );
  });

  it('I8: a rollback window beyond the history bound names overrides.rollbackWindowMinutes and its maximum', async () => {
    givenImages(image());
    // 30 s interval and the default waits: with their polls and the retry policy's attempts, the longest path
    // fits less window than the 1,000 minutes that 2,000 monitoring polls alone would allow.
    const longest = maxRollbackWindowMinutes(settingsSchema.parse(config));
    expect(longest).toBeGreaterThan(60);
    expect(longest).toBeLessThan(1_000);
    const failure = handler(event({ amiId: AMI, overrides: { rollbackWindowMinutes: longest + 1 } }));
    await expect(failure).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(failure).rejects.toThrow(
      new RegExp(`overrides\\.rollbackWindowMinutes: .*at most ${longest} minutes`),
    );
    expect(calls().total).toBe(0);
    await expect(
      handler(event({ amiId: AMI, overrides: { rollbackWindowMinutes: longest } })),
    ).resolves.toBeDefined();
  });

  it('I8: a window past the monitoring bound too is named once, with the one maximum that fits', async () => {
    givenImages(image());
    const longest = maxRollbackWindowMinutes(settingsSchema.parse(config));
    const failure = handler(event({ amiId: AMI, overrides: { rollbackWindowMinutes: 1_001 } }));
    await expect(failure).rejects.toThrow(
      new RegExp(
        `^Invalid deployment request: overrides\\.rollbackWindowMinutes: 1001 minutes is too long for the ` +
          `configured waits and monitoring interval of 30 s \\(it would exceed the execution history limit\\); ` +
          `use at most ${longest} minutes\\.$`,
      ),
    );
    expect(calls().total).toBe(0);
  });

  it('reports an invalid configuration as InvalidConfigurationError naming the field, before any AWS call', async () => {
    const broken = { ...config, groups: { blue: 'webapp', green: 'webapp' }, extra: true };
    const failure = handler(event({ amiId: AMI }, broken));
    await expect(failure).rejects.toMatchObject({ name: 'InvalidConfigurationError' });
    await expect(failure).rejects.toThrow(/groups: blue and green must be two different Auto Scaling groups/);
    await expect(failure).rejects.toThrow(/config: unrecognized key "extra"; allowed: applicationName/);
    expect(calls().total).toBe(0);
  });

  it('refuses at run time what cdk synth refuses: no alarms without monitoring.allowNoAlarms, target groups apart, a non-http endpoint', async () => {
    const broken = {
      ...config,
      targetGroups: {
        ...config.targetGroups,
        synthetic: config.targetGroups.synthetic.replace('us-east-1', 'eu-west-1'),
      },
      syntheticChecks: { ...config.syntheticChecks, endpoint: 'ftp://alb.example.com' },
      monitoring: { alarmNames: [] },
    };
    const failure = handler(event({ amiId: AMI }, broken));
    await expect(failure).rejects.toMatchObject({ name: 'InvalidConfigurationError' });
    await expect(failure).rejects.toThrow(/monitoring\.alarmNames: is empty: .*"allowNoAlarms": true/);
    await expect(failure).rejects.toThrow(/targetGroups\.synthetic: is in eu-west-1, not us-east-1/);
    await expect(failure).rejects.toThrow(/syntheticChecks\.endpoint: must be an http\(s\) URL/);
    expect(calls().total).toBe(0);

    const optedOut = { ...config, monitoring: { alarmNames: [], allowNoAlarms: true } };
    givenImages(image());
    const output = await handler(event({ amiId: AMI }, optedOut));
    expect(output.settings.monitoring).toMatchObject({ alarmNames: [], allowNoAlarms: true });
  });

  it('checks the configuration before the request', async () => {
    await expect(handler(event({ amiId: 'bad' }, { applicationName: 'webapp' }))).rejects.toMatchObject({
      name: 'InvalidConfigurationError',
    });
  });

  it('an AMI that does not exist is AmiNotFoundError', async () => {
    givenImages();
    await expect(handler(event({ amiId: AMI }))).rejects.toMatchObject({
      name: 'AmiNotFoundError',
      message: expect.stringContaining(AMI),
    });
  });

  it('another AMI of the application does not stand in for the one asked for', async () => {
    givenImages(image({ id: 'ami-0fedcba9876543210' }));
    await expect(handler(event({ amiId: AMI }))).rejects.toMatchObject({
      name: 'AmiNotFoundError',
      message: expect.stringContaining(AMI),
    });
  });

  it('a pending AMI is AmiNotAvailableError telling to start again once available', async () => {
    givenImages(image({ state: 'pending' }));
    await expect(handler(event({ amiId: AMI }))).rejects.toMatchObject({
      name: 'AmiNotAvailableError',
      message: `AMI ${AMI} is pending; start the deployment again once it is available.`,
    });
  });

  it.each(['failed', 'deregistered', 'disabled', 'invalid', 'error'])(
    'a %s AMI is AmiNotAvailableError',
    async (state) => {
      givenImages(image({ state: state as AmiDescription['state'] }));
      await expect(handler(event({ amiId: AMI }))).rejects.toMatchObject({
        name: 'AmiNotAvailableError',
        message: expect.stringContaining(`is ${state}`),
      });
    },
  );

  it('maps EC2 throttling to TransientAwsError', async () => {
    h = createHarness({ faults: { throttleProbability: 1 } });
    await expect(handler(event({ amiId: AMI }))).rejects.toMatchObject({ name: 'TransientAwsError' });
  });

  it('maps a denied DescribeImages to AwsRequestError naming the call', async () => {
    givenImages(image());
    await expect(denying(['ec2:DescribeImages'], () => handler(event({ amiId: AMI })))).rejects.toMatchObject(
      {
        name: 'AwsRequestError',
        message: expect.stringContaining('DescribeImages'),
      },
    );
  });

  describe('ownership', () => {
    it('an AMI event for a foreign AMI is skipped, in plain words, without failing', async () => {
      givenImages(image({ name: 'other-app-1', tags: { Application: 'billing' } }));
      const output = await handler(event({ amiId: AMI, trigger: 'ami-event' }));
      expect(output.skip).toBe(true);
      expect(output.execution).toEqual(execution);
      expect(output.skipReason).toBe(
        `AMI ${AMI} ("other-app-1") is not an AMI of webapp: its tag Application is "billing", not "webapp"`,
      );
    });

    it('a foreign AMI from the pipeline is AmiNotRecognisedError', async () => {
      givenImages(image({ tags: {} }));
      await expect(handler(event({ amiId: AMI }))).rejects.toMatchObject({
        name: 'AmiNotRecognisedError',
        message: expect.stringContaining('it has no tag Application=webapp'),
      });
    });

    it('a foreign AMI is skipped even when it is not available (the event fires on failures too)', async () => {
      givenImages(image({ state: 'failed', tags: {} }));
      const output = await handler(event({ amiId: AMI, trigger: 'ami-event' }));
      expect(output.skip).toBe(true);
    });

    describe("an AMI event's AMI without the selector's tag key (docs/design.md#late-tags)", () => {
      /** The harness's clock starts at 0: an execution started `ago` seconds before. */
      const startedAgo = (seconds: number) => ({
        ...event({ amiId: AMI, trigger: 'ami-event' }),
        execution: executionNamed('run-2', new Date(-seconds * 1000).toISOString()),
      });

      it('is not judged yet while waits.amiTags has not passed: its tags may still come', async () => {
        givenImages(image({ tags: {} }));
        await expect(handler(startedAgo(299))).resolves.toMatchObject({ skip: false, tagsPending: true });
      });

      it('is judged once it has: skipped, saying it waited', async () => {
        givenImages(image({ tags: {} }));
        await expect(handler(startedAgo(300))).resolves.toMatchObject({
          skip: true,
          tagsPending: false,
          skipReason: expect.stringMatching(
            /no tag Application=webapp \(its tags were awaited for 300 s: waits\.amiTags\)$/,
          ),
        });
      });

      it('is judged at once when it carries the key with another value', async () => {
        givenImages(image({ tags: { Application: 'billing' } }));
        await expect(handler(startedAgo(0))).resolves.toMatchObject({ skip: true, tagsPending: false });
      });

      it('is judged at once when its name, which cannot change, fails the name pattern', async () => {
        givenImages(image({ tags: {}, name: 'other-team-base-2025' }));
        const settings = { ...config, amiSelector: { ...config.amiSelector, namePattern: '^webapp-' } };
        await expect(handler({ ...startedAgo(0), config: settings })).resolves.toMatchObject({
          skip: true,
          tagsPending: false,
          skipReason: expect.not.stringMatching(/awaited/),
        });
      });

      it('is skipped, not refused, when it no longer exists (deregistered since its event)', async () => {
        givenImages(image({ id: 'ami-0aaaaaaaaaaaaaaaa' }));
        await expect(handler(startedAgo(0))).resolves.toMatchObject({
          skip: true,
          skipReason: `AMI ${AMI} no longer exists (deregistered since its event)`,
        });
      });

      it('a pipeline is never kept waiting: its AMI is judged at once', async () => {
        givenImages(image({ tags: {} }));
        await expect(handler(event({ amiId: AMI }))).rejects.toMatchObject({ name: 'AmiNotRecognisedError' });
      });
    });

    it('selects by name pattern', async () => {
      const settings = { ...config, amiSelector: { namePattern: '^webapp-\\d{4}' } };
      givenImages(image({ tags: {} }));
      await expect(handler(event({ amiId: AMI }, settings))).resolves.toMatchObject({ skip: false });

      givenImages(image({ name: 'base-image', tags: {} }));
      const output = await handler(event({ amiId: AMI, trigger: 'ami-event' }, settings));
      expect(output.skipReason).toContain('its name "base-image" does not match /^webapp-\\d{4}/');
    });

    it('needs both the tag and the name when both are set', async () => {
      const settings = {
        ...config,
        amiSelector: { tag: { key: 'Application', value: 'webapp' }, namePattern: '^webapp-' },
      };
      givenImages(image({ name: 'billing-1' }));
      await expect(handler(event({ amiId: AMI }, settings))).rejects.toMatchObject({
        name: 'AmiNotRecognisedError',
        message: expect.stringContaining('does not match /^webapp-/'),
      });

      givenImages(image({ tags: { Application: 'billing' } }));
      await expect(handler(event({ amiId: AMI }, settings))).rejects.toMatchObject({
        name: 'AmiNotRecognisedError',
      });

      givenImages(image());
      await expect(handler(event({ amiId: AMI }, settings))).resolves.toMatchObject({ skip: false });
    });
  });

  it('I6: a second run gives the same output', async () => {
    givenImages(image());
    const request = { amiId: AMI, overrides: { capacity: { min: 1, desired: 1, max: 2 } } };
    const first = await handler(event(request));
    const second = await handler(event(request));
    expect(second).toEqual(first);
  });

  it('rejects an event without the execution reference as InvalidInputError', async () => {
    await expect(handler({ request: { amiId: AMI }, config })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('execution'),
    });
    expect(calls().total).toBe(0);
  });

  describe('an EC2 Image Builder image (docs/design.md#ec2-image-builder)', () => {
    const IMAGE = 'arn:aws:imagebuilder:us-east-1:123456789012:image/webapp/1.2.0/1';
    const withImageBuilder = {
      ...config,
      imageBuilder: { pipelineArns: ['arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/webapp'] },
    };
    const imageRequest = { imageBuildVersionArn: IMAGE, trigger: 'image-builder' };

    it('leaves the AMI to be found from the image: no AMI yet, no AWS call', async () => {
      givenImages(image());
      await expect(handler(event(imageRequest, withImageBuilder))).resolves.toMatchObject({
        amiId: null,
        imageBuildVersionArn: IMAGE,
        trigger: 'image-builder',
        skip: false,
        tagsPending: false,
      });
      expect(calls().total).toBe(0);
    });

    it('is refused when no pipeline is configured, naming the setting and the alternative', async () => {
      givenImages(image());
      await expect(handler(event(imageRequest))).rejects.toMatchObject({
        name: 'InvalidInputError',
        message: expect.stringMatching(
          /imageBuildVersionArn: .*imageBuilder\.pipelineArns is not configured.*\{"amiId": "ami-…"\}/,
        ),
      });
    });

    it('a malformed image ARN names the field and the expected form', async () => {
      givenImages(image());
      await expect(
        handler(
          event(
            {
              imageBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:123456789012:image/webapp',
              trigger: 'image-builder',
            },
            withImageBuilder,
          ),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidInputError',
        message: expect.stringContaining('imageBuildVersionArn: must be an image build version ARN'),
      });
    });

    it("the AMI the image built is held to the selector like an AMI event's: another application's is skipped", async () => {
      givenImages(image({ tags: { Application: 'billing' } }));
      await expect(
        handler(event({ amiId: AMI, trigger: 'image-builder' }, withImageBuilder)),
      ).resolves.toMatchObject({
        amiId: AMI,
        skip: true,
        skipReason: expect.stringContaining('not an AMI of webapp'),
      });
    });
  });

  describe('a recovery (docs/recovery.md)', () => {
    const ofThis = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:deployment-0001`;

    it('names an execution of this state machine and no AMI, with no AWS call', async () => {
      givenImages(image());
      await expect(handler(event({ recoverFrom: ofThis, trigger: 'recovery' }))).resolves.toMatchObject({
        amiId: null,
        recoverFrom: ofThis,
        trigger: 'recovery',
        skip: false,
      });
      expect(calls().total).toBe(0);
    });

    it("is refused for another state machine's execution, naming the field", async () => {
      givenImages(image());
      const other = ofThis.replace('webapp-deploy', 'billing-deploy');
      await expect(handler(event({ recoverFrom: other, trigger: 'recovery' }))).rejects.toMatchObject({
        name: 'InvalidInputError',
        message: expect.stringContaining(
          'recoverFrom: ' + other + ' is not an execution of this state machine',
        ),
      });
    });
  });
});
