import { DetachTrafficSourcesCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/check-target-groups-detached/handler';
import {
  createHarness,
  rejection,
  targetGroupArn,
  withTargetGroups,
  type Harness,
  type HarnessOptions,
} from '../support/account';

let h: Harness;

function input(wait: { startedAt: string | null } = { startedAt: null }, timeoutSeconds = 900) {
  return { groupName: h.blue, targetGroupArns: [h.main, h.synthetic], wait, timeoutSeconds };
}

/** Blue (2 instances) attached to the target groups `attached` picks; 5 more target groups exist. */
function account(
  attached: (main: string, synthetic: string) => string[] = (main) => [main],
  options: HarnessOptions = {},
): void {
  h = createHarness({
    instances: 2,
    ...options,
    customize: (env) => {
      withTargetGroups(env, 5);
      env.groups.blue.attachedTargetGroups = attached(env.mainTargetGroup.arn, env.syntheticTargetGroup.arn);
    },
  });
}

/** The owner detaches blue from `arn`, and the account runs until that attachment is in `state`. */
async function detached(arn: string, state: 'Removing' | 'Removed'): Promise<void> {
  await h.asg.send(
    new DetachTrafficSourcesCommand({ AutoScalingGroupName: h.blue, TrafficSources: [{ Identifier: arn }] }),
  );
  h.until(() => h.sources(h.blue)[arn] === state);
  h.forgetCalls();
}

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

afterEach(() => h.dispose());

describe('check-target-groups-detached', () => {
  it('is done when the group has left every target group (Removed or gone)', async () => {
    account();
    await detached(h.main, 'Removed');

    const output = await handler(input());

    expect(output).toEqual({
      startedAt: ago(0),
      done: true,
      elapsedSeconds: 0,
      detail: 'webapp-blue has left webapp-main, webapp-synthetic',
    });
    expect(h.inputs('DescribeTrafficSources')).toEqual([
      expect.objectContaining({ AutoScalingGroupName: h.blue, TrafficSourceType: 'elbv2' }),
    ]);
    expect(h.changes()).toEqual([]);
  });

  it('waits while a target group is still Removing, and names it', async () => {
    account((main, synthetic) => [main, synthetic]);
    await detached(h.synthetic, 'Removed');
    await detached(h.main, 'Removing');
    expect(h.sources(h.blue)[h.synthetic]).toBe('Removed');

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('webapp-blue still draining from webapp-main');
  });

  it('waits, and says so, when a target group was never detached', async () => {
    account((_main, synthetic) => [synthetic]);

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toContain('still attached to webapp-synthetic (InService)');
    expect(output.detail).toContain('never detached');
  });

  it('ignores target groups it was not asked about', async () => {
    account(() => [targetGroupArn(3)]);

    expect((await handler(input())).done).toBe(true);
  });

  it('I7: finds the target group still draining among many attachments', async () => {
    account((main) => [1, 2, 3, 4].map(targetGroupArn).concat(main));
    await detached(h.main, 'Removing');

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('webapp-blue still draining from webapp-main');
  });

  it('keeps the loop’s start time and counts from it', async () => {
    account();
    await detached(h.main, 'Removing');
    const startedAt = ago(120);

    const output = await handler(input({ startedAt }));

    expect(output).toMatchObject({ startedAt, elapsedSeconds: 120, done: false });
  });

  it('throws WaitTimeoutError with the progress once the deadline has passed', async () => {
    account();
    await detached(h.main, 'Removing');
    const startedAt = ago(900);

    const error = await rejection(handler(input({ startedAt }, 900)));

    expect(error.name).toBe('WaitTimeoutError');
    expect(error.message).toContain('after 900 s');
    expect(error.message).toContain('still draining from webapp-main');
  });

  it('does not time out when the condition holds at the deadline', async () => {
    account(() => []);
    const startedAt = ago(5000);

    expect((await handler(input({ startedAt }, 900))).done).toBe(true);
  });

  it.each([
    {
      what: 'no wait state',
      input: { groupName: 'webapp-blue', targetGroupArns: [targetGroupArn(1)], timeoutSeconds: 900 },
      field: 'wait',
    },
    {
      what: 'no timeout',
      input: { groupName: 'webapp-blue', targetGroupArns: [targetGroupArn(1)], wait: { startedAt: null } },
      field: 'timeoutSeconds',
    },
    {
      what: 'a zero timeout',
      input: {
        groupName: 'webapp-blue',
        targetGroupArns: [targetGroupArn(1)],
        wait: { startedAt: null },
        timeoutSeconds: 0,
      },
      field: 'timeoutSeconds',
    },
  ])('rejects $what (naming $field) before any AWS call', async ({ input: bad, field }) => {
    account();

    const error = await rejection(handler(bad));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
    expect(h.account.apiCalls.total).toBe(0);
  });

  it('maps throttling to TransientAwsError', async () => {
    account(undefined, { faults: { throttleProbability: 1 } });

    expect((await rejection(handler(input()))).name).toBe('TransientAwsError');
  });
});
