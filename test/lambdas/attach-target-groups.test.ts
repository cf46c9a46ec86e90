import { AttachTrafficSourcesCommand, DescribeTrafficSourcesCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/attach-target-groups/handler';
import {
  asgMock,
  awsError,
  freshAccount,
  ids,
  MAIN_TG,
  mutatingCallCount,
  SYNTHETIC_TG,
  tgArn,
  thrown,
  type FakeAccount,
  trafficSourceArns,
} from './traffic-fakes';

const GREEN = 'webapp-green';
let account: FakeAccount;

beforeEach(() => {
  account = freshAccount();
  account.addGroup({ name: GREEN, instances: { InService: ids('green', 2) } });
});

describe('attach-target-groups', () => {
  it('attaches a target group the group is not attached to, as an elbv2 traffic source', async () => {
    const output = await handler({ groupName: GREEN, targetGroupArns: [MAIN_TG] });

    expect(output).toEqual({ groupName: GREEN, attached: 1 });
    expect(asgMock).toHaveReceivedCommandWith(AttachTrafficSourcesCommand, {
      AutoScalingGroupName: GREEN,
      TrafficSources: [{ Identifier: MAIN_TG, Type: 'elbv2' }],
    });
    expect(account.group(GREEN).trafficSources).toEqual([{ arn: MAIN_TG, state: 'Adding' }]);
  });

  it('attaches only the target groups not already attached', async () => {
    account.group(GREEN).trafficSources.push({ arn: SYNTHETIC_TG, state: 'InService' });

    const output = await handler({ groupName: GREEN, targetGroupArns: [SYNTHETIC_TG, MAIN_TG] });

    expect(output.attached).toBe(1);
    expect(trafficSourceArns(AttachTrafficSourcesCommand)).toEqual([MAIN_TG]);
  });

  it.each(['Adding', 'Added', 'InService'])(
    'treats a target group in state %s as attached',
    async (state) => {
      account.group(GREEN).trafficSources.push({ arn: MAIN_TG, state });

      const output = await handler({ groupName: GREEN, targetGroupArns: [MAIN_TG] });

      expect(output.attached).toBe(0);
      expect(asgMock).not.toHaveReceivedCommand(AttachTrafficSourcesCommand);
    },
  );

  it.each(['Removing', 'Removed'])(
    'attaches again a target group the group is leaving (%s)',
    async (state) => {
      account.group(GREEN).trafficSources.push({ arn: MAIN_TG, state });

      const output = await handler({ groupName: GREEN, targetGroupArns: [MAIN_TG] });

      expect(output.attached).toBe(1);
      expect(trafficSourceArns(AttachTrafficSourcesCommand)).toEqual([MAIN_TG]);
    },
  );

  it('I6: a second run attaches nothing, before and after the attachment completes', async () => {
    const input = { groupName: GREEN, targetGroupArns: [MAIN_TG, SYNTHETIC_TG] };
    expect((await handler(input)).attached).toBe(2);
    const afterFirst = mutatingCallCount();

    expect(await handler(input)).toEqual({ groupName: GREEN, attached: 0 });
    account.settle();
    expect(await handler(input)).toEqual({ groupName: GREEN, attached: 0 });

    expect(mutatingCallCount()).toBe(afterFirst);
  });

  it('attaches a target group named twice in the input once', async () => {
    const output = await handler({ groupName: GREEN, targetGroupArns: [MAIN_TG, MAIN_TG] });

    expect(output.attached).toBe(1);
    expect(trafficSourceArns(AttachTrafficSourcesCommand)).toEqual([MAIN_TG]);
  });

  it.each([
    [1, 1],
    [10, 1],
    [11, 2],
    [25, 3],
  ])('I7: %i target groups go out in %i calls of at most 10', async (count, calls) => {
    const arns = Array.from({ length: count }, (_, i) => tgArn(i + 1));

    const output = await handler({ groupName: GREEN, targetGroupArns: arns });

    expect(output.attached).toBe(count);
    const batches = asgMock.commandCalls(AttachTrafficSourcesCommand);
    expect(batches).toHaveLength(calls);
    for (const batch of batches) expect(batch.args[0].input.TrafficSources?.length).toBeLessThanOrEqual(10);
    expect(trafficSourceArns(AttachTrafficSourcesCommand).sort()).toEqual([...arns].sort());
  });

  it('I7: reads every page of traffic sources before deciding what to attach', async () => {
    account.trafficSourcePageSize = 1;
    account
      .group(GREEN)
      .trafficSources.push(
        { arn: tgArn(1), state: 'InService' },
        { arn: tgArn(2), state: 'InService' },
        { arn: MAIN_TG, state: 'InService' },
      );

    const output = await handler({ groupName: GREEN, targetGroupArns: [MAIN_TG] });

    expect(output.attached).toBe(0);
    expect(asgMock).toHaveReceivedCommandTimes(DescribeTrafficSourcesCommand, 3);
    expect(asgMock).toHaveReceivedNthCommandWith(2, DescribeTrafficSourcesCommand, {
      AutoScalingGroupName: GREEN,
      TrafficSourceType: 'elbv2',
      NextToken: '1',
    });
    expect(asgMock).not.toHaveReceivedCommand(AttachTrafficSourcesCommand);
  });

  it.each([
    {
      what: 'a name instead of an ARN',
      input: { groupName: GREEN, targetGroupArns: ['webapp-main'] },
      field: 'targetGroupArns.0',
    },
    { what: 'no target group', input: { groupName: GREEN, targetGroupArns: [] }, field: 'targetGroupArns' },
    { what: 'a missing group name', input: { targetGroupArns: [MAIN_TG] }, field: 'groupName' },
    {
      what: 'a misspelt field',
      input: { groupName: GREEN, targetGroupArn: MAIN_TG },
      field: 'targetGroupArns',
    },
  ])('I8: rejects $what (naming $field) before any AWS call', async ({ input, field }) => {
    const error = await thrown(handler(input));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
    expect(asgMock.calls()).toHaveLength(0);
  });

  it('maps throttling to TransientAwsError (the workflow retries it)', async () => {
    asgMock.on(DescribeTrafficSourcesCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const error = await thrown(handler({ groupName: GREEN, targetGroupArns: [MAIN_TG] }));

    expect(error.name).toBe('TransientAwsError');
    expect(error.message).toContain('DescribeTrafficSources');
  });

  it('maps a rejected attach to AwsRequestError carrying AWS’s reason', async () => {
    asgMock
      .on(AttachTrafficSourcesCommand)
      .rejects(awsError('ValidationError', `Target group ${MAIN_TG} does not exist`));

    const error = await thrown(handler({ groupName: GREEN, targetGroupArns: [MAIN_TG] }));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('AttachTrafficSources failed: ValidationError');
  });

  it('reports a group that does not exist as an AWS request error', async () => {
    const error = await thrown(handler({ groupName: 'webapp-nope', targetGroupArns: [MAIN_TG] }));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('webapp-nope');
  });
});
