import { DetachTrafficSourcesCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/detach-target-groups/handler';
import {
  createHarness,
  denying,
  rejection,
  targetGroupArn,
  withTargetGroups,
  type Harness,
  type HarnessOptions,
} from '../support/account';

let h: Harness;

/** Blue (2 instances) attached to `attached` (default: the main target group); 25 more target groups exist. */
function account(attached?: (main: string, synthetic: string) => string[], options: HarnessOptions = {}) {
  h = createHarness({
    instances: 2,
    ...options,
    customize: (env) => {
      withTargetGroups(env, 25);
      env.groups.blue.attachedTargetGroups = attached
        ? attached(env.mainTargetGroup.arn, env.syntheticTargetGroup.arn)
        : [env.mainTargetGroup.arn];
    },
  });
}

const ownerDetach = (arns: string[]) =>
  h.asg.send(
    new DetachTrafficSourcesCommand({
      AutoScalingGroupName: h.blue,
      TrafficSources: arns.map((Identifier) => ({ Identifier })),
    }),
  );

afterEach(() => h.dispose());

describe('detach-target-groups', () => {
  it('detaches an attached target group (elbv2) and leaves it draining', async () => {
    account();

    const output = await handler({ groupName: h.blue, targetGroupArns: [h.main] });

    expect(output).toEqual({ groupName: h.blue, detached: 1 });
    expect(h.inputs('DetachTrafficSources')).toEqual([
      { AutoScalingGroupName: h.blue, TrafficSources: [{ Identifier: h.main, Type: 'elbv2' }] },
    ]);
    expect(h.sources(h.blue)).toEqual({ [h.main]: 'Removing' });
    expect(Object.values(h.health(h.main))).toEqual(['draining', 'draining']);
  });

  it('detaches only the requested target groups that are attached; a never-attached one costs no call', async () => {
    account((main) => [main, targetGroupArn(7)]);

    const output = await handler({ groupName: h.blue, targetGroupArns: [h.main, h.synthetic] });

    expect(output.detached).toBe(1);
    expect(h.inputs('DetachTrafficSources')).toEqual([
      expect.objectContaining({ TrafficSources: [{ Identifier: h.main, Type: 'elbv2' }] }),
    ]);
    expect(h.sources(h.blue)).toEqual({ [h.main]: 'Removing', [targetGroupArn(7)]: 'InService' });
  });

  it('makes no call when the group is attached to none of them', async () => {
    account(() => []);

    const output = await handler({ groupName: h.blue, targetGroupArns: [h.main, h.synthetic] });

    expect(output).toEqual({ groupName: h.blue, detached: 0 });
    expect(h.changes()).toEqual([]);
  });

  it.each(['Removing', 'Removed'])('does not detach again a target group already %s', async (state) => {
    account();
    await ownerDetach([h.main]);
    h.until(() => h.sources(h.blue)[h.main] === state);
    h.forgetCalls();

    const output = await handler({ groupName: h.blue, targetGroupArns: [h.main] });

    expect(output.detached).toBe(0);
    expect(h.changes()).toEqual([]);
  });

  it('I6: a second run detaches nothing, while draining and after', async () => {
    account((main, synthetic) => [main, synthetic]);
    const input = { groupName: h.blue, targetGroupArns: [h.main, h.synthetic] };
    expect((await handler(input)).detached).toBe(2);
    h.forgetCalls();

    expect(await handler(input)).toEqual({ groupName: h.blue, detached: 0 });
    h.until(() => Object.values(h.sources(h.blue)).every((state) => state === 'Removed'));
    expect(await handler(input)).toEqual({ groupName: h.blue, detached: 0 });
    h.until(() => Object.keys(h.sources(h.blue)).length === 0); // gone from DescribeTrafficSources
    expect(await handler(input)).toEqual({ groupName: h.blue, detached: 0 });

    expect(h.changes()).toEqual([]);
  });

  it.each([
    [1, 1],
    [10, 1],
    [11, 2],
    [25, 3],
  ])('I7: %i target groups go out in %i calls of at most 10', async (count, calls) => {
    const arns = Array.from({ length: count }, (_, i) => targetGroupArn(i + 1));
    account(() => arns);

    const output = await handler({ groupName: h.blue, targetGroupArns: arns });

    expect(output.detached).toBe(count);
    const batches = h.inputs<{ TrafficSources: unknown[] }>('DetachTrafficSources');
    expect(batches).toHaveLength(calls);
    for (const batch of batches) expect(batch.TrafficSources.length).toBeLessThanOrEqual(10);
    expect(Object.values(h.sources(h.blue))).toEqual(arns.map(() => 'Removing'));
  });

  it('I7: finds an attached target group among many traffic sources', async () => {
    account((main) => [targetGroupArn(1), targetGroupArn(2), main]);

    const output = await handler({ groupName: h.blue, targetGroupArns: [h.main] });

    expect(output.detached).toBe(1);
    expect(h.sources(h.blue)).toEqual({
      [targetGroupArn(1)]: 'InService',
      [targetGroupArn(2)]: 'InService',
      [h.main]: 'Removing',
    });
  });

  it.each([
    {
      what: 'a malformed ARN',
      input: { groupName: 'webapp-blue', targetGroupArns: [`${targetGroupArn(1)}/x`] },
      field: 'targetGroupArns.0',
    },
    {
      what: 'no target group',
      input: { groupName: 'webapp-blue', targetGroupArns: [] },
      field: 'targetGroupArns',
    },
    {
      what: 'an empty group name',
      input: { groupName: '', targetGroupArns: [targetGroupArn(1)] },
      field: 'groupName',
    },
  ])('I8: rejects $what (naming $field) before any AWS call', async ({ input, field }) => {
    account();

    const error = await rejection(handler(input));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
    expect(h.account.apiCalls.total).toBe(0);
  });

  it('I6: a detach whose answer was lost succeeds: the SDK retry is refused, and the account shows the group leaving', async () => {
    // The first attempt takes effect and its answer is lost; the SDK's retry is refused (not attached).
    account(undefined, {
      faults: {
        loseAnswer: (operation, attempt) => operation === 'autoscaling:DetachTrafficSources' && attempt === 1,
      },
    });

    const output = await handler({ groupName: h.blue, targetGroupArns: [h.main] });

    expect(output).toEqual({ groupName: h.blue, detached: 1 });
    expect(h.sources(h.blue)).toEqual({ [h.main]: 'Removing' });
  });

  it('a refused detach of a group that is still attached fails the step with AWS’s message', async () => {
    account();

    const error = await rejection(
      denying(['autoscaling:DetachTrafficSources'], () =>
        handler({ groupName: h.blue, targetGroupArns: [h.main] }),
      ),
    );

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toMatch(/^DetachTrafficSources failed: AccessDenied: /);
    expect(h.sources(h.blue)).toEqual({ [h.main]: 'InService' });
  });

  it('maps a 5xx on the detach, after the SDK’s retries, to TransientAwsError', async () => {
    account(undefined, {
      faults: {
        failAttempt: (operation) => operation === 'autoscaling:DetachTrafficSources' && 'server-error',
      },
    });

    const error = await rejection(handler({ groupName: h.blue, targetGroupArns: [h.main] }));

    expect(error.name).toBe('TransientAwsError');
    expect(error.message).toContain('DetachTrafficSources');
    expect(h.sources(h.blue)).toEqual({ [h.main]: 'InService' });
  });

  it('maps a refused describe to AwsRequestError', async () => {
    account();

    const error = await rejection(
      denying(['autoscaling:DescribeTrafficSources'], () =>
        handler({ groupName: h.blue, targetGroupArns: [h.main] }),
      ),
    );

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('DescribeTrafficSources failed: AccessDenied');
  });
});
