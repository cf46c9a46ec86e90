/**
 * I6 (docs/design.md#invariants) against the simulated account: every step that changes the account reaches
 * the same account state when the answers to its changes are lost as when nothing goes wrong. Two ways to
 * lose them:
 *  - the first attempt's answer of every changing call: the SDK's retry meets the account as that attempt
 *    left it (and may be refused for it: the group is already leaving, the instance is already in Standby);
 *  - every attempt's answer of the first call of each changing operation, to a timeout or to a 5xx: the
 *    SDK gives up, the step fails, and Step Functions runs it again against the changed account.
 */
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { handler as attachTargetGroups } from '../../lambdas/attach-target-groups/handler';
import { handler as detachTargetGroups } from '../../lambdas/detach-target-groups/handler';
import { handler as enterStandby } from '../../lambdas/enter-standby/handler';
import { handler as launchNewVersion } from '../../lambdas/launch-new-version/handler';
import { handler as reportOutcome } from '../../lambdas/report-outcome/handler';
import { handler as restoreOldFleet } from '../../lambdas/restore-old-fleet/handler';
import { handler as retireOldFleet } from '../../lambdas/retire-old-fleet/handler';
import { handler as scaleGroupToZero } from '../../lambdas/scale-group-to-zero/handler';
import { logger } from '../../lambdas/shared/logger';
import { DEFAULT_AMIS, type FaultOptions } from '../../simulator/account';
import { createHarness, type Harness } from '../simulator/account/harness';

type Step = (event: unknown) => Promise<unknown>;
type LoseAnswer = NonNullable<FaultOptions['loseAnswer']>;

const changes = (operation: string) => !/:(Describe|List|Get)/.test(operation);

const LOSSES: Record<string, () => LoseAnswer> = {
  'the first attempt of every change': () => (operation, attempt) => changes(operation) && attempt === 1,
  ...Object.fromEntries(
    (['timeout', 'server-error'] as const).map((how) => [
      `every attempt of the first call of each change (${how})`,
      (): LoseAnswer => {
        const calls = new Map<string, number>();
        return (operation, attempt) => {
          if (!changes(operation)) return false;
          if (attempt === 1) calls.set(operation, (calls.get(operation) ?? 0) + 1);
          return calls.get(operation) === 1 && how;
        };
      },
    ]),
  ),
};

const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:webapp-deploy:run-1',
  name: 'run-1',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-deploy',
  startTime: '2026-01-05T09:00:00.000Z',
};
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:webapp-deployments';
/** Every case is compared once the account has settled, at the same virtual time. */
const SETTLED_AT_SECONDS = 3600;
/** Step Functions' runs of one step before the test gives up (the workflow allows many more for NotReady). */
const MAX_RUNS = 40;

/** Runs a step as the workflow does: again, 10 s later, after TransientAwsError or NotReadyError. */
async function runAsWorkflow(h: Harness, step: Step, input: unknown): Promise<{ runs: number }> {
  for (let runs = 1; ; runs++) {
    try {
      await step(input);
      return { runs };
    } catch (error) {
      const name = (error as Error).name;
      if (!['TransientAwsError', 'NotReadyError'].includes(name) || runs >= MAX_RUNS) throw error;
      h.run(10);
    }
  }
}

/** The account as far as the steps' goals go (no ids, no timestamps). */
async function accountState(h: Harness) {
  const snapshot = h.account.snapshot();
  const count = (values: string[]) =>
    Object.fromEntries([...new Set(values)].sort().map((v) => [v, values.filter((x) => x === v).length]));
  const versions = async (id: string) =>
    (await h.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id })))
      .LaunchTemplateVersions?.length;
  return {
    groups: await Promise.all(
      Object.values(snapshot.groups).map(async (group) => ({
        name: group.name,
        sizes: [group.min, group.desired, group.max],
        launchTemplate: group.launchTemplate,
        templateVersions: await versions(group.launchTemplate.id),
        instances: count(group.instances.map((i) => `${i.lifecycleState} ${i.amiId}`)),
        trafficSources: group.trafficSources.map((s) => `${s.identifier} ${s.state}`).sort(),
        suspended: [...group.suspendedProcesses].sort(),
        tags: group.tags,
      })),
    ),
    targets: Object.values(snapshot.targetGroups).map((tg) => ({
      name: tg.name,
      targets: count(tg.targets.map((t) => t.state)),
    })),
  };
}

/** States of a deployment the steps start from, reached with the steps themselves and no faults. */
const setups = {
  production: async () => {},
  /** The new version launched on green and serving next to blue in the main target group. */
  bothServe: async (h: Harness) => {
    await launchNewVersion({
      groupName: h.green,
      amiId: DEFAULT_AMIS.next,
      capacity: { min: 1, desired: 3, max: 3 },
      execution: EXECUTION,
      roles: { active: null },
    });
    h.run(90);
    await attachTargetGroups({ groupName: h.green, targetGroupArns: [h.main] });
    h.run(60);
  },
  /** The old fleet (blue) parked in Standby, still attached. */
  oldFleetParked: async (h: Harness) => {
    await setups.bothServe(h);
    await runAsWorkflow(h, enterStandby as Step, {
      groupName: h.blue,
      mainTargetGroupArn: h.main,
      newGroupName: h.green,
    });
    h.run(60);
  },
  /** The old fleet parked in Standby and gone from the main target group. */
  oldFleetDetached: async (h: Harness) => {
    await setups.oldFleetParked(h);
    await detachTargetGroups({ groupName: h.blue, targetGroupArns: [h.main] });
    h.run(60);
  },
};

const CASES: { step: string; handler: Step; from: keyof typeof setups; input: (h: Harness) => unknown }[] = [
  {
    step: 'launch-new-version',
    handler: launchNewVersion as Step,
    from: 'production',
    input: (h) => ({
      groupName: h.green,
      amiId: DEFAULT_AMIS.next,
      capacity: { min: 1, desired: 3, max: 3 },
      execution: EXECUTION,
      roles: { active: null },
    }),
  },
  {
    step: 'attach-target-groups',
    handler: attachTargetGroups as Step,
    from: 'production',
    input: (h) => ({ groupName: h.green, targetGroupArns: [h.synthetic, h.main] }),
  },
  {
    step: 'enter-standby',
    handler: enterStandby as Step,
    from: 'bothServe',
    input: (h) => ({ groupName: h.blue, mainTargetGroupArn: h.main, newGroupName: h.green }),
  },
  {
    step: 'detach-target-groups',
    handler: detachTargetGroups as Step,
    from: 'oldFleetParked',
    input: (h) => ({ groupName: h.blue, targetGroupArns: [h.main] }),
  },
  {
    step: 'restore-old-fleet',
    handler: restoreOldFleet as Step,
    from: 'oldFleetParked',
    input: (h) => ({
      groupName: h.blue,
      mainTargetGroupArn: h.main,
      capacity: { min: 1, desired: 3, max: 3 },
      newGroupName: h.green,
    }),
  },
  {
    step: 'retire-old-fleet',
    handler: retireOldFleet as Step,
    from: 'oldFleetDetached',
    input: (h) => ({ groupName: h.blue }),
  },
  {
    step: 'scale-group-to-zero',
    handler: scaleGroupToZero as Step,
    from: 'bothServe',
    input: (h) => ({ groupName: h.green }),
  },
];

/** Sets the account up, runs the step (with the answers lost as `lose` says), and settles the account. */
async function runCase(
  { handler, from, input }: (typeof CASES)[number],
  lose?: LoseAnswer,
): Promise<{ state: Awaited<ReturnType<typeof accountState>>; runs: number }> {
  const h = createHarness({ seed: 11 });
  try {
    await setups[from](h);
    h.account.setFaults({ loseAnswer: lose });
    const { runs } = await runAsWorkflow(h, handler, input(h));
    h.account.setFaults({});
    h.run(SETTLED_AT_SECONDS - h.account.snapshot().now / 1000);
    return { state: await accountState(h), runs };
  } finally {
    h.dispose();
  }
}

beforeAll(() => logger.setLogLevel('SILENT'));

describe('I6: every step that changes the account reaches its goal when the answers to its changes are lost', () => {
  describe.each(Object.entries(LOSSES))('losing %s', (_loss, lose) => {
    it.each(CASES.map((c) => [c.step, c] as const))('%s', async (_step, testCase) => {
      const expected = await runCase(testCase);
      expect(expected.runs).toBe(1);

      const faulted = await runCase(testCase, lose());

      expect(faulted.state).toEqual(expected.state);
    });
  });

  it.each(Object.keys(LOSSES))(
    'report-outcome: the notification reaches the topic when it loses %s',
    async (loss) => {
      const h = createHarness({ seed: 11, faults: { loseAnswer: LOSSES[loss]() } });
      try {
        // Real time: the step pauses a second before it publishes again (the harness fakes only Date).
        await runAsWorkflow(h, reportOutcome as Step, {
          outcome: 'succeeded',
          applicationName: 'webapp',
          executionName: 'run-1',
          amiId: DEFAULT_AMIS.next,
          notificationTopicArn: TOPIC,
        });
        expect(h.account.publishedMessages.length).toBeGreaterThanOrEqual(1);
      } finally {
        h.dispose();
      }
    },
  );
});
