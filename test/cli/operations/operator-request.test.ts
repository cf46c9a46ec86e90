import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AttachTrafficSourcesCommand,
  UpdateAutoScalingGroupCommand,
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import type { Io } from '../../../cli/operations/io';
import { parseOperatorRequestOptions } from '../../../cli/operations/operator-request';
import { requestFromOperator } from '../../../cli/operations/operator-request';
import { promote } from '../../../cli/operations/promote';
import { rollback } from '../../../cli/operations/rollback';
import { handler as monitor } from '../../../lambdas/monitor-new-version/handler';
import { OPERATOR_REQUEST_TAG } from '../../../lambdas/shared/contract';
import { logger } from '../../../lambdas/shared/logger';
import { SimulatedAccount } from '../../../simulator/account/account';
import { defaultEnvironment, type EnvironmentDescription } from '../../../simulator/account/environment';
import { VirtualClock } from '../../../simulator/engine/clock';
import { recordingIo } from '../../support/recording-io';

const BLUE = 'webapp-blue';
const GREEN = 'webapp-green';
const environment: EnvironmentDescription = defaultEnvironment();
const MAIN = environment.mainTargetGroup.arn;
const SYNTHETIC = environment.syntheticTargetGroup.arn;
const sdk = new AutoScalingClient({ region: 'us-east-1' });

let clock: VirtualClock;
let account: SimulatedAccount;

/** The explicit form of the options, as a pipeline without the configuration file would pass them. */
const explicit = parseOperatorRequestOptions([
  '--groups',
  `${BLUE},${GREEN}`,
  '--main-target-group',
  MAIN,
  '--synthetic-target-group',
  SYNTHETIC,
]);

async function attach(group: string, ...targetGroups: string[]): Promise<void> {
  await sdk.send(
    new AttachTrafficSourcesCommand({
      AutoScalingGroupName: group,
      TrafficSources: targetGroups.map((Identifier) => ({ Identifier, Type: 'elbv2' })),
    }),
  );
  await clock.advance(10_000);
}

/** As during a rollback window: green (new) on both target groups, blue (old) still on the main one. */
async function inWindow(): Promise<void> {
  await attach(GREEN, MAIN, SYNTHETIC);
}

function tagsOf(group: string): Record<string, string> {
  return account.snapshot().groups[group].tags;
}

function tagCalls(): number {
  return account.apiCalls.byOperation['autoscaling:CreateOrUpdateTags'] ?? 0;
}

// The monitor step logs as a Lambda does; the tests read its result instead.
beforeAll(() => logger.setLogLevel('SILENT'));

beforeEach(() => {
  clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  // After the fake clock: the account tells time by Date.now().
  account = new SimulatedAccount(environment, { seed: 7 });
  account.install();
});

afterEach(() => {
  account.uninstall();
  clock.uninstall();
});

describe('promote and rollback', () => {
  it('promote tags the group attached to the synthetic target group, not for instances, and leaves the other alone', async () => {
    await inWindow();
    const { io, out } = recordingIo();

    expect(await promote(explicit, io)).toBe(0);

    expect(tagsOf(GREEN)[OPERATOR_REQUEST_TAG]).toBe('promote');
    expect(tagsOf(BLUE)[OPERATOR_REQUEST_TAG]).toBeUndefined();
    const [green] =
      (await sdk.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [GREEN] })))
        .AutoScalingGroups ?? [];
    expect(green.Tags?.find((tag) => tag.Key === OPERATOR_REQUEST_TAG)).toMatchObject({
      Value: 'promote',
      PropagateAtLaunch: false,
    });
    expect(out).toEqual([
      `Tagged ${GREEN} with ${OPERATOR_REQUEST_TAG}=promote: the deployment will finish now: skip the rest of the rollback window, retire the old fleet.`,
    ]);
  });

  it('finds the new group by its synthetic attachment whatever its colour (blue is new in every second deployment)', async () => {
    // Green serves; blue is the new group, on the synthetic target group and (after the shift) the main one.
    await attach(GREEN, MAIN);
    await attach(BLUE, SYNTHETIC);

    expect(await rollback(explicit, recordingIo().io)).toBe(0);

    expect(tagsOf(BLUE)[OPERATOR_REQUEST_TAG]).toBe('rollback');
    expect(tagsOf(GREEN)[OPERATOR_REQUEST_TAG]).toBeUndefined();
  });

  it('rollback replaces an earlier promote, and the window’s monitor then rolls back', async () => {
    await inWindow();
    await promote(explicit, recordingIo().io);
    const { io, err } = recordingIo();

    expect(await rollback(explicit, io)).toBe(0);

    expect(tagsOf(GREEN)[OPERATOR_REQUEST_TAG]).toBe('rollback');
    expect(err[0]).toBe(`note: this replaces the earlier request "promote" on ${GREEN}.`);
    // The real monitor step reads the tag first, before alarms and targets.
    await expect(
      monitor({
        groupName: GREEN,
        targetGroupArn: MAIN,
        monitoring: { alarmNames: ['webapp-target-5xx'], rollbackWindowMinutes: 60, intervalSeconds: 30 },
        wait: { startedAt: new Date(Date.now() - 5 * 60_000).toISOString() },
      }),
    ).rejects.toMatchObject({ name: 'RollbackRequestedError' });
  });

  it('asking twice for the same thing writes nothing the second time', async () => {
    await inWindow();
    await rollback(explicit, recordingIo().io);
    const { io, out } = recordingIo();

    expect(await rollback(explicit, io)).toBe(0);

    expect(tagCalls()).toBe(1);
    expect(out[0]).toMatch(`${GREEN} already carries ${OPERATOR_REQUEST_TAG}=rollback`);
  });

  it('refuses outside a rollback window (no group on the synthetic target group), changing nothing', async () => {
    const before = account.snapshot().groups;

    for (const request of [promote, rollback]) {
      await expect(request(explicit, recordingIo().io)).rejects.toThrow(
        `No deployment is in its rollback window: neither ${BLUE} nor ${GREEN} is attached to the synthetic target group ${SYNTHETIC}. Nothing was changed`,
      );
    }
    expect(tagCalls()).toBe(0);
    expect(account.snapshot().groups).toEqual(before);
  });

  it('refuses before the traffic shift (new group on the synthetic target group only)', async () => {
    await attach(GREEN, SYNTHETIC);

    await expect(rollback(explicit, recordingIo().io)).rejects.toThrow(
      `The deployment to ${GREEN} has not reached its rollback window: ${GREEN} is not attached to the main target group`,
    );
    expect(tagCalls()).toBe(0);
  });

  it('refuses when both groups are on the synthetic target group: which one is new is unclear', async () => {
    await attach(GREEN, MAIN, SYNTHETIC);
    await attach(BLUE, SYNTHETIC);

    await expect(promote(explicit, recordingIo().io)).rejects.toThrow(
      `Both ${BLUE} and ${GREEN} are attached to the synthetic target group`,
    );
    expect(tagCalls()).toBe(0);
  });

  it('reads the groups and target groups from a configuration file, by ARN or (reference environment) by name', async () => {
    await inWindow();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-config-'));
    try {
      const existing = path.join(dir, 'existing.json');
      const example = JSON.parse(fs.readFileSync('config/example.json', 'utf8')) as {
        deployment: Record<string, unknown>;
      };
      example.deployment.targetGroups = { main: MAIN, synthetic: SYNTHETIC };
      fs.writeFileSync(existing, JSON.stringify(example));

      expect(await promote(parseOperatorRequestOptions(['--config', existing]), recordingIo().io)).toBe(0);
      expect(tagsOf(GREEN)[OPERATOR_REQUEST_TAG]).toBe('promote');

      // config/reference.json names no ARN: the reference environment's target groups are found by name.
      const reference = parseOperatorRequestOptions(['--config', 'config/reference.json']);
      expect(reference.targets).toMatchObject({
        groups: [BLUE, GREEN],
        mainTargetGroup: 'webapp-main',
        syntheticTargetGroup: 'webapp-synthetic',
      });
      expect(await rollback(reference, recordingIo().io)).toBe(0);
      expect(tagsOf(GREEN)[OPERATOR_REQUEST_TAG]).toBe('rollback');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown group is AWS’s error, passed on (exit 1 through the command)', async () => {
    const options = parseOperatorRequestOptions([
      '--groups',
      `${BLUE},webapp-purple`,
      '--main-target-group',
      'webapp-main',
      '--synthetic-target-group',
      'webapp-synthetic',
    ]);
    await expect(promote(options, recordingIo().io)).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('approve and abort (docs/operations.md)', () => {
  const approve = (io: Io) => requestFromOperator('approve', explicit, io);
  const abort = (io: Io) => requestFromOperator('abort', explicit, io);
  // As the launch step does: the standby group given a capacity.
  const launching = () =>
    sdk.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: GREEN,
        MinSize: 3,
        MaxSize: 6,
        DesiredCapacity: 3,
      }),
    );

  it('approve tags the new group waiting at its approval gate (on the synthetic target group only)', async () => {
    await attach(GREEN, SYNTHETIC);
    const { io, out } = recordingIo();

    expect(await approve(io)).toBe(0);

    expect(tagsOf(GREEN)[OPERATOR_REQUEST_TAG]).toBe('approve');
    expect(out[0]).toMatch(`Tagged ${GREEN} with ${OPERATOR_REQUEST_TAG}=approve: the deployment will shift`);
  });

  it('approve is refused once traffic has shifted, and before the new version is proven, changing nothing', async () => {
    await launching();
    await expect(approve(recordingIo().io)).rejects.toThrow(
      `The deployment to ${GREEN} has not reached its approval gate yet`,
    );
    await attach(GREEN, MAIN, SYNTHETIC);
    await expect(approve(recordingIo().io)).rejects.toThrow('there is nothing left to approve');
    expect(tagCalls()).toBe(0);
  });

  it('abort tags rollback at any phase: while launching or proving it aborts, after the shift it rolls back', async () => {
    await launching();
    const launched = recordingIo();
    expect(await abort(launched.io)).toBe(0);
    expect(tagsOf(GREEN)[OPERATOR_REQUEST_TAG]).toBe('rollback');
    expect(launched.out[0]).toMatch('the deployment will abort now: production untouched');

    await attach(GREEN, MAIN, SYNTHETIC);
    const shifted = recordingIo();
    expect(await abort(shifted.io)).toBe(0);
    expect(shifted.out[0]).toMatch('the deployment will roll back now');
  });

  it('approve, given the configuration, is refused when it sets no approval gate (nothing would read it)', async () => {
    await attach(GREEN, SYNTHETIC);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-config-'));
    try {
      const config = (approval?: object) => {
        const file = path.join(dir, `${approval ? 'gated' : 'plain'}.json`);
        const example = JSON.parse(fs.readFileSync('config/example.json', 'utf8')) as {
          deployment: Record<string, unknown>;
        };
        example.deployment.targetGroups = { main: MAIN, synthetic: SYNTHETIC };
        if (approval) example.deployment.approval = approval;
        fs.writeFileSync(file, JSON.stringify(example));
        return parseOperatorRequestOptions(['--config', file]);
      };

      await expect(requestFromOperator('approve', config(), recordingIo().io)).rejects.toThrow(
        `The configuration sets no approval gate (approval): the deployment to ${GREEN} waits for no approval, and nothing would read one. Nothing was changed`,
      );
      expect(tagCalls()).toBe(0);
      expect(await requestFromOperator('approve', config({ timeoutMinutes: 30 }), recordingIo().io)).toBe(0);
      expect(tagsOf(GREEN)[OPERATOR_REQUEST_TAG]).toBe('approve');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('abort is refused when no new version is launched: before the launch, stopping the execution is the way', async () => {
    await expect(abort(recordingIo().io)).rejects.toThrow(
      `No deployment is under way: neither ${BLUE} nor ${GREEN} is attached to the synthetic target group ${SYNTHETIC} or being launched. Nothing was changed; no abort was requested. Before the launch, stop the execution instead`,
    );
    expect(tagCalls()).toBe(0);
  });
});
