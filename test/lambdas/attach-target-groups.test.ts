import { AttachTrafficSourcesCommand, DetachTrafficSourcesCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/attach-target-groups/handler';
import {
  createHarness,
  rejection,
  targetGroupArn,
  withTargetGroups,
  type Harness,
  type HarnessOptions,
} from '../support/account';

let h: Harness;

/** Green runs 2 instances and is attached to nothing; the account has 25 more target groups. */
function account(options: HarnessOptions = {}): void {
  h = createHarness({
    ...options,
    customize: (env) => {
      Object.assign(env.groups.green, { desired: 2, max: 2 });
      withTargetGroups(env, 25);
    },
  });
}

const ownerAttach = (arns: string[]) =>
  h.asg.send(
    new AttachTrafficSourcesCommand({
      AutoScalingGroupName: h.green,
      TrafficSources: arns.map((Identifier) => ({ Identifier })),
    }),
  );

/** The attachment of green to the main target group, brought to `state` by the owner's calls and time. */
async function mainAttachmentIn(state: string): Promise<void> {
  await ownerAttach([h.main]);
  if (state === 'Removing' || state === 'Removed') {
    h.until(() => h.sources(h.green)[h.main] === 'InService');
    await h.asg.send(
      new DetachTrafficSourcesCommand({
        AutoScalingGroupName: h.green,
        TrafficSources: [{ Identifier: h.main }],
      }),
    );
  }
  h.until(() => h.sources(h.green)[h.main] === state);
  h.forgetCalls();
}

beforeEach(() => account());
afterEach(() => h.dispose());

describe('attach-target-groups', () => {
  it('attaches a target group the group is not attached to, and its instances get registered', async () => {
    const output = await handler({ groupName: h.green, targetGroupArns: [h.main] });

    expect(output).toEqual({ groupName: h.green, attached: 1 });
    expect(h.sources(h.green)).toEqual({ [h.main]: 'Adding' });
    expect(Object.keys(h.health(h.main)).sort()).toEqual(
      [...h.idsIn(h.blue, 'InService'), ...h.idsIn(h.green, 'InService')].sort(),
    );
    h.until(() => h.sources(h.green)[h.main] === 'InService');
  });

  it('attaches only the target groups not already attached', async () => {
    await ownerAttach([h.synthetic]);
    h.forgetCalls();

    const output = await handler({ groupName: h.green, targetGroupArns: [h.synthetic, h.main] });

    expect(output.attached).toBe(1);
    expect(h.inputs('AttachTrafficSources')).toEqual([
      { AutoScalingGroupName: h.green, TrafficSources: [{ Identifier: h.main, Type: 'elbv2' }] },
    ]);
  });

  it.each(['Adding', 'Added', 'InService'])(
    'treats a target group in state %s as attached',
    async (state) => {
      await mainAttachmentIn(state);

      const output = await handler({ groupName: h.green, targetGroupArns: [h.main] });

      expect(output.attached).toBe(0);
      expect(h.changes()).toEqual([]);
    },
  );

  it.each(['Removing', 'Removed'])(
    'attaches again a target group the group is leaving (%s)',
    async (state) => {
      await mainAttachmentIn(state);

      const output = await handler({ groupName: h.green, targetGroupArns: [h.main] });

      expect(output.attached).toBe(1);
      expect(h.sources(h.green)[h.main]).toBe('Adding');
    },
  );

  it('I6: a second run attaches nothing, before and after the attachment completes', async () => {
    const input = { groupName: h.green, targetGroupArns: [h.main, h.synthetic] };
    expect((await handler(input)).attached).toBe(2);
    h.forgetCalls();

    expect(await handler(input)).toEqual({ groupName: h.green, attached: 0 });
    h.until(() => Object.values(h.sources(h.green)).every((state) => state === 'InService'));
    expect(await handler(input)).toEqual({ groupName: h.green, attached: 0 });

    expect(h.changes()).toEqual([]);
  });

  it('attaches a target group named twice in the input once', async () => {
    const output = await handler({ groupName: h.green, targetGroupArns: [h.main, h.main] });

    expect(output.attached).toBe(1);
    expect(h.inputs('AttachTrafficSources')).toEqual([
      expect.objectContaining({ TrafficSources: [{ Identifier: h.main, Type: 'elbv2' }] }),
    ]);
  });

  it.each([
    [1, 1],
    [10, 1],
    [11, 2],
    [25, 3],
  ])('I7: %i target groups go out in %i calls of at most 10', async (count, calls) => {
    const arns = Array.from({ length: count }, (_, i) => targetGroupArn(i + 1));

    const output = await handler({ groupName: h.green, targetGroupArns: arns });

    expect(output.attached).toBe(count);
    const batches = h.inputs<{ TrafficSources: unknown[] }>('AttachTrafficSources');
    expect(batches).toHaveLength(calls);
    for (const batch of batches) expect(batch.TrafficSources.length).toBeLessThanOrEqual(10);
    expect(Object.keys(h.sources(h.green)).sort()).toEqual([...arns].sort());
  });

  it('I7: reads the attachments of a group attached to many target groups before deciding', async () => {
    const others = Array.from({ length: 20 }, (_, i) => targetGroupArn(i + 1));
    for (const batch of [others.slice(0, 10), others.slice(10), [h.main]]) await ownerAttach(batch);
    h.forgetCalls();

    const output = await handler({ groupName: h.green, targetGroupArns: [h.main] });

    expect(output.attached).toBe(0);
    expect(h.inputs('DescribeTrafficSources')).toEqual([
      expect.objectContaining({ AutoScalingGroupName: h.green, TrafficSourceType: 'elbv2' }),
    ]);
    expect(h.changes()).toEqual([]);
  });

  it.each([
    {
      what: 'a name instead of an ARN',
      input: { groupName: 'webapp-green', targetGroupArns: ['webapp-main'] },
      field: 'targetGroupArns.0',
    },
    {
      what: 'no target group',
      input: { groupName: 'webapp-green', targetGroupArns: [] },
      field: 'targetGroupArns',
    },
    { what: 'a missing group name', input: { targetGroupArns: [targetGroupArn(1)] }, field: 'groupName' },
    {
      what: 'a misspelt field',
      input: { groupName: 'webapp-green', targetGroupArn: targetGroupArn(1) },
      field: 'targetGroupArns',
    },
  ])('I8: rejects $what (naming $field) before any AWS call', async ({ input, field }) => {
    const error = await rejection(handler(input));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
    expect(h.account.apiCalls.total).toBe(0);
  });

  it('maps throttling to TransientAwsError (the workflow retries it)', async () => {
    h.account.setFaults({ throttleProbability: 1 });

    const error = await rejection(handler({ groupName: h.green, targetGroupArns: [h.main] }));

    expect(error.name).toBe('TransientAwsError');
    expect(error.message).toContain('DescribeTrafficSources');
    expect(h.changes()).toEqual([]);
  });

  it('maps a refused attach to AwsRequestError carrying AWS’s reason', async () => {
    const missing = targetGroupArn(99);

    const error = await rejection(handler({ groupName: h.green, targetGroupArns: [missing] }));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('AttachTrafficSources failed: ValidationError');
    expect(h.sources(h.green)).toEqual({});
  });

  it('reports a group that does not exist as an AWS request error', async () => {
    const error = await rejection(handler({ groupName: 'webapp-nope', targetGroupArns: [h.main] }));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('webapp-nope');
  });
});
