import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/check-already-serving/handler';
import { compareVersions } from '../../lambdas/shared/release-order';
import { DEFAULT_AMIS, type EnvironmentDescription } from '../../simulator/account/environment';
import { createHarness, type Harness, type HarnessOptions } from '../support/account';

/** Issue 12, item 6: the step that tells "nothing to do" from "deploy", against the simulated account. */
let h: Harness;
const account = (options: HarnessOptions = {}) => (h = createHarness(options));
afterEach(() => h.dispose());
/** The blue group's capacity once a test has raised its desired size to 4 (the roles step reads it so). */
const grown = { min: 2, desired: 4, max: 6 };

// The reference account's blue group; with no capacity configured, the deployment keeps the group's own.
const active = () => ({ groupName: h.blue, capacity: { min: 2, desired: 3, max: 6 }, instanceCount: 3 });
const SELECTOR = { tag: { key: 'Application', value: 'webapp' } };
const run = (
  amiId: string,
  roles: { active: ReturnType<typeof active> | null } = { active: active() },
  targetCapacity = roles.active?.capacity ?? { min: 2, desired: 3, max: 6 },
  trigger: 'pipeline' | 'ami-event' = 'pipeline',
  amiSelector: { tag?: { key: string; value: string }; versionTag?: string } = SELECTOR,
) =>
  handler({
    amiId,
    roles: { ...roles, targetCapacity },
    mainTargetGroupArn: h.main,
    trigger,
    amiSelector,
  });
/** An AMI event for `amiId`, as the EventBridge rule starts it. */
const event = (amiId: string, amiSelector = SELECTOR) =>
  run(amiId, { active: active() }, undefined, 'ami-event', amiSelector);

describe('check-already-serving', () => {
  it('deploys when the configuration asks for another capacity (a redeploy rolls it out)', async () => {
    account();
    const result = await run(DEFAULT_AMIS.current, { active: active() }, { min: 2, desired: 6, max: 12 });
    expect(result).toEqual({
      alreadyServing: false,
      notNewer: false,
      detail: expect.stringMatching(/not at the configured capacity 2\/6\/12/),
      servingAmiId: DEFAULT_AMIS.current,
    });
    expect(h.changes()).toEqual([]);
  });

  it('is nothing to do when the active group launches and runs the AMI, all healthy, and changes nothing', async () => {
    account();
    await expect(run(DEFAULT_AMIS.current)).resolves.toEqual({
      alreadyServing: true,
      notNewer: false,
      detail: expect.stringMatching(/ami-0a1b2c3d4e5f60001 already serves all traffic from webapp-blue/),
      servingAmiId: DEFAULT_AMIS.current,
    });
    expect(h.changes()).toEqual([]);
  });

  it('deploys another AMI', async () => {
    account();
    await expect(run(DEFAULT_AMIS.next)).resolves.toEqual({
      alreadyServing: false,
      notNewer: false,
      detail: `webapp-blue launches ${DEFAULT_AMIS.current}`,
      servingAmiId: DEFAULT_AMIS.current,
    });
  });

  it('deploys on a first deployment: no group serves yet', async () => {
    account({ firstDeployment: true });
    await expect(run(DEFAULT_AMIS.current, { active: null })).resolves.toMatchObject({
      alreadyServing: false,
      notNewer: false,
      // Nothing was serving: a success then replaced nothing, and there is nothing to undo.
      servingAmiId: null,
    });
  });

  it('deploys when the serving fleet is short of its desired size (the deployment replaces it whole)', async () => {
    account();
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 4, MaxSize: 6 }),
    );
    await expect(run(DEFAULT_AMIS.current, { active: active() }, grown)).resolves.toEqual({
      alreadyServing: false,
      notNewer: false,
      detail: 'webapp-blue has 3 of 4 instances in service',
      servingAmiId: DEFAULT_AMIS.current,
    });
  });

  it('deploys when a new instance is in service but not yet healthy in the main target group', async () => {
    account();
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 4, MaxSize: 6 }),
    );
    h.until(() => h.idsIn(h.blue, 'InService').length === 4);
    await expect(run(DEFAULT_AMIS.current, { active: active() }, grown)).resolves.toEqual({
      alreadyServing: false,
      notNewer: false,
      detail: expect.stringMatching(/^3 of 4 targets of webapp-blue healthy in webapp-main$/),
      servingAmiId: DEFAULT_AMIS.current,
    });
  });
});

describe('check-already-serving: an AMI event deploys only a newer release (docs/design.md#release-order)', () => {
  const COPY = 'ami-0eeeeeeeeeeee0005';
  const OLD = 'ami-0bbbbbbbbbbbb0006';
  const BUILD = 'ami-0ccccccccccccc007';
  const PATCH = 'ami-0ccccccccccccc008';
  const ORPHAN = 'ami-0ccccccccccccc009';
  const releases = (environment: EnvironmentDescription) => {
    const current = environment.amis.find((ami) => ami.id === DEFAULT_AMIS.current);
    if (!current) throw new Error('test bug: no current AMI');
    environment.amis.push(
      // CopyImage of the serving release, made after the new one, tags copied: EC2 names its source.
      {
        ...current,
        id: COPY,
        name: 'webapp-1.0.0-copy',
        creationDate: '2025-03-01T00:00:00.000Z',
        sourceImageId: current.id,
      },
      // An older release, re-enabled: its creation date is its own.
      {
        ...current,
        id: OLD,
        name: 'webapp-0.9.0',
        tags: { ...current.tags, Version: '0.9.0' },
        creationDate: '2024-12-01T00:00:00.000Z',
      },
      // A build made in 2024-11 (CreateImage from an instance of a base image, which EC2 names as its source).
      {
        ...current,
        id: BUILD,
        name: 'webapp-1.0.10',
        tags: { ...current.tags, Version: '1.0.10' },
        creationDate: '2024-11-01T00:00:00.000Z',
        sourceImageId: DEFAULT_AMIS.foreign,
        sourceInstanceId: 'i-0123456789abcdef0',
      },
      // A patch build: CreateImage from an instance running the serving release, made after it.
      {
        ...current,
        id: PATCH,
        name: 'webapp-1.0.1',
        tags: { ...current.tags, Version: '1.0.1' },
        creationDate: '2025-06-01T00:00:00.000Z',
        sourceImageId: current.id,
        sourceInstanceId: 'i-0fedcba9876543210',
      },
      // A copy of an AMI this account cannot read (deregistered since, or another account's).
      {
        ...current,
        id: ORPHAN,
        name: 'webapp-restored',
        creationDate: '2025-07-01T00:00:00.000Z',
        sourceImageId: 'ami-0999999999999999a',
      },
    );
  };

  it('deploys a release made after the one serving', async () => {
    account();
    await expect(event(DEFAULT_AMIS.next)).resolves.toMatchObject({ alreadyServing: false, notNewer: false });
  });

  it('skips a copy of the serving release, however recent the copy, saying how to deploy it anyway', async () => {
    account({ customize: releases });
    const result = await event(COPY);
    expect(result).toEqual({
      alreadyServing: false,
      notNewer: true,
      detail:
        `${COPY} ("webapp-1.0.0-copy") (copied from ${DEFAULT_AMIS.current}) is a release of 2025-01-01T00:00:00.000Z, ` +
        `not newer than ${DEFAULT_AMIS.current} ("webapp-1.0.0"), which serves (a release of 2025-01-01T00:00:00.000Z): ` +
        `an AMI event or an EC2 Image Builder image deploys only newer releases. To deploy it anyway, start the deployment from the pipeline with {"amiId": "${COPY}"}`,
      servingAmiId: DEFAULT_AMIS.current,
    });
    expect(h.changes()).toEqual([]);
  });

  it('skips an older release made available again', async () => {
    account({ customize: releases });
    await expect(event(OLD)).resolves.toMatchObject({ notNewer: true });
  });

  it('counts a source only when it is an AMI of this application: a new build from a base image is as new as it is made', async () => {
    account({ customize: releases });
    // Made in 2024-11, before the serving release: by date, not newer (the base image is not followed).
    await expect(event(BUILD)).resolves.toMatchObject({ notNewer: true });
  });

  it('dates an image of an instance (CreateImage) by its own making: a patch build from the serving release deploys', async () => {
    account({ customize: releases });
    await expect(event(PATCH)).resolves.toMatchObject({ notNewer: false });
  });

  it('skips a copy whose source cannot be read, as it cannot be dated', async () => {
    account({ customize: releases });
    await expect(event(ORPHAN)).resolves.toMatchObject({
      notNewer: true,
      detail: expect.stringMatching(/copied from ami-0999999999999999a, which cannot be read here/),
    });
  });

  it('deploys when the serving AMI is not one of this application (the first switch from a base image)', async () => {
    account({
      customize: (environment) => {
        releases(environment);
        const current = environment.amis.find((ami) => ami.id === DEFAULT_AMIS.current);
        if (current) current.tags = { Application: 'base-image' };
      },
    });
    await expect(event(OLD)).resolves.toMatchObject({ notNewer: false });
  });

  it('orders by the version tag when configured and both carry it: 1.0.10 after 1.0.0, whatever the dates', async () => {
    account({ customize: releases });
    const byVersion = { ...SELECTOR, versionTag: 'Version' };
    await expect(event(BUILD, byVersion)).resolves.toMatchObject({ notNewer: false });
    await expect(event(OLD, byVersion)).resolves.toMatchObject({
      notNewer: true,
      detail: expect.stringMatching(/is version 0\.9\.0, not newer than 1\.0\.0 of ami-0a1b2c3d4e5f60001/),
    });
  });

  it('holds only AMI events to it: a pipeline deploys an older release on purpose', async () => {
    account({ customize: releases });
    await expect(run(OLD)).resolves.toMatchObject({ alreadyServing: false, notNewer: false });
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.10.0', '1.9.2', 1],
    ['1.0.0', '1.0.0', 0],
    ['1.0', '1.0.1', -1],
    ['2.0.0-rc1', '2.0.0-rc2', -1],
    ['v3', 'v2', 1],
    ['v10.0.0', 'v9.9.9', 1],
    ['1.2.0', '1.2.0-rc.1', 1],
    ['1.2.0-rc.2', '1.2.0-rc.10', -1],
    ['1.2.0+build.5', '1.2.0+build.7', 0],
    // Numbers before text (semver), so that the order has no cycle: 1.9.0 < 1.10.0 < 1.1a.0.
    ['1.10.0', '1.1a.0', -1],
    ['1.9.0', '1.1a.0', -1],
    ['1.2.0-rc.1', '1.2.0-rc.beta', -1],
  ])('%s against %s: %i', (left, right, order) => {
    expect(compareVersions(left, right)).toBe(order);
  });

  it('is a total order: sorting any mix of versions gives the same result whatever the input order', () => {
    const versions = ['1.10.0', '1.9.0', '1.1a.0', '1.2', '1.2.0', 'v2', '1.2.0-rc.1', '1.2.0-rc.beta'];
    const sorted = [...versions].sort(compareVersions);
    expect([...versions].reverse().sort(compareVersions)).toEqual(sorted);
    for (let i = 1; i < sorted.length; i++)
      expect(compareVersions(sorted[i - 1], sorted[i])).toBeLessThanOrEqual(0);
  });
});
