import { DescribeTrafficSourcesCommand, DetachTrafficSourcesCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/detach-target-groups/handler';
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

const BLUE = 'webapp-blue';
let account: FakeAccount;

beforeEach(() => {
  account = freshAccount();
  account.addGroup({ name: BLUE, instances: { Standby: ids('blue', 2) } });
});

describe('detach-target-groups', () => {
  it('detaches an attached target group (elbv2) and leaves it draining', async () => {
    account.group(BLUE).trafficSources.push({ arn: MAIN_TG, state: 'InService' });

    const output = await handler({ groupName: BLUE, targetGroupArns: [MAIN_TG] });

    expect(output).toEqual({ groupName: BLUE, detached: 1 });
    expect(asgMock).toHaveReceivedCommandWith(DetachTrafficSourcesCommand, {
      AutoScalingGroupName: BLUE,
      TrafficSources: [{ Identifier: MAIN_TG, Type: 'elbv2' }],
    });
    expect(account.group(BLUE).trafficSources).toEqual([{ arn: MAIN_TG, state: 'Removing' }]);
  });

  it('detaches only the requested target groups that are attached; a never-attached one costs no call', async () => {
    account.group(BLUE).trafficSources.push(
      { arn: MAIN_TG, state: 'Added' },
      { arn: tgArn(7), state: 'InService' }, // not asked for: stays
    );

    const output = await handler({ groupName: BLUE, targetGroupArns: [MAIN_TG, SYNTHETIC_TG] });

    expect(output.detached).toBe(1);
    expect(trafficSourceArns(DetachTrafficSourcesCommand)).toEqual([MAIN_TG]);
    expect(account.group(BLUE).trafficSources).toContainEqual({ arn: tgArn(7), state: 'InService' });
  });

  it('makes no call when the group is attached to none of them', async () => {
    const output = await handler({ groupName: BLUE, targetGroupArns: [MAIN_TG, SYNTHETIC_TG] });

    expect(output).toEqual({ groupName: BLUE, detached: 0 });
    expect(mutatingCallCount()).toBe(0);
  });

  it.each(['Removing', 'Removed'])('does not detach again a target group already %s', async (state) => {
    account.group(BLUE).trafficSources.push({ arn: MAIN_TG, state });

    const output = await handler({ groupName: BLUE, targetGroupArns: [MAIN_TG] });

    expect(output.detached).toBe(0);
    expect(asgMock).not.toHaveReceivedCommand(DetachTrafficSourcesCommand);
  });

  it('I6: a second run detaches nothing, while draining and after', async () => {
    account
      .group(BLUE)
      .trafficSources.push({ arn: MAIN_TG, state: 'InService' }, { arn: SYNTHETIC_TG, state: 'Added' });
    const input = { groupName: BLUE, targetGroupArns: [MAIN_TG, SYNTHETIC_TG] };
    expect((await handler(input)).detached).toBe(2);
    const afterFirst = mutatingCallCount();

    expect(await handler(input)).toEqual({ groupName: BLUE, detached: 0 });
    account.settle();
    expect(await handler(input)).toEqual({ groupName: BLUE, detached: 0 });
    account.group(BLUE).trafficSources.length = 0; // gone from DescribeTrafficSources
    expect(await handler(input)).toEqual({ groupName: BLUE, detached: 0 });

    expect(mutatingCallCount()).toBe(afterFirst);
  });

  it.each([
    [1, 1],
    [10, 1],
    [11, 2],
    [25, 3],
  ])('I7: %i target groups go out in %i calls of at most 10', async (count, calls) => {
    const arns = Array.from({ length: count }, (_, i) => tgArn(i + 1));
    for (const arn of arns) account.group(BLUE).trafficSources.push({ arn, state: 'InService' });

    const output = await handler({ groupName: BLUE, targetGroupArns: arns });

    expect(output.detached).toBe(count);
    const batches = asgMock.commandCalls(DetachTrafficSourcesCommand);
    expect(batches).toHaveLength(calls);
    for (const batch of batches) expect(batch.args[0].input.TrafficSources?.length).toBeLessThanOrEqual(10);
    expect(trafficSourceArns(DetachTrafficSourcesCommand).sort()).toEqual([...arns].sort());
  });

  it('I7: finds an attached target group on a later page of traffic sources', async () => {
    account.trafficSourcePageSize = 1;
    account
      .group(BLUE)
      .trafficSources.push(
        { arn: tgArn(1), state: 'InService' },
        { arn: tgArn(2), state: 'InService' },
        { arn: MAIN_TG, state: 'InService' },
      );

    const output = await handler({ groupName: BLUE, targetGroupArns: [MAIN_TG] });

    expect(output.detached).toBe(1);
    expect(asgMock).toHaveReceivedCommandTimes(DescribeTrafficSourcesCommand, 3);
    expect(asgMock).toHaveReceivedNthCommandWith(3, DescribeTrafficSourcesCommand, { NextToken: '2' });
    expect(trafficSourceArns(DetachTrafficSourcesCommand)).toEqual([MAIN_TG]);
  });

  it.each([
    {
      what: 'a malformed ARN',
      input: { groupName: BLUE, targetGroupArns: [`${MAIN_TG}/x`] },
      field: 'targetGroupArns.0',
    },
    { what: 'no target group', input: { groupName: BLUE, targetGroupArns: [] }, field: 'targetGroupArns' },
    { what: 'an empty group name', input: { groupName: '', targetGroupArns: [MAIN_TG] }, field: 'groupName' },
  ])('I8: rejects $what (naming $field) before any AWS call', async ({ input, field }) => {
    const error = await thrown(handler(input));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain(field);
    expect(asgMock.calls()).toHaveLength(0);
  });

  it('I6: a detach whose answer was lost succeeds: the SDK retry is refused, and the account shows the group leaving', async () => {
    account.group(BLUE).trafficSources.push({ arn: MAIN_TG, state: 'InService' });
    // The first attempt took effect and its answer was lost; the SDK's retry is what the step sees.
    asgMock.on(DetachTrafficSourcesCommand).callsFake(() => {
      account.group(BLUE).trafficSources[0].state = 'Removing';
      throw awsError(
        'ValidationError',
        `Trying to remove Target Groups that are not part of the group {${MAIN_TG}}`,
      );
    });

    const output = await handler({ groupName: BLUE, targetGroupArns: [MAIN_TG] });

    expect(output).toEqual({ groupName: BLUE, detached: 1 });
    expect(account.group(BLUE).trafficSources).toEqual([{ arn: MAIN_TG, state: 'Removing' }]);
  });

  it('a refused detach of a group that is still attached fails the step with AWS’s message', async () => {
    account.group(BLUE).trafficSources.push({ arn: MAIN_TG, state: 'InService' });
    asgMock.on(DetachTrafficSourcesCommand).rejects(awsError('ValidationError', 'Something else'));

    const error = await thrown(handler({ groupName: BLUE, targetGroupArns: [MAIN_TG] }));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('DetachTrafficSources failed: ValidationError: Something else');
  });

  it('maps ResourceContention (500) on the detach to TransientAwsError', async () => {
    account.group(BLUE).trafficSources.push({ arn: MAIN_TG, state: 'InService' });
    asgMock
      .on(DetachTrafficSourcesCommand)
      .rejects(
        awsError('ResourceContention', 'You already have a pending update to an Auto Scaling resource', 500),
      );

    const error = await thrown(handler({ groupName: BLUE, targetGroupArns: [MAIN_TG] }));

    expect(error.name).toBe('TransientAwsError');
    expect(error.message).toContain('DetachTrafficSources');
  });

  it('maps a rejected describe to AwsRequestError', async () => {
    asgMock.on(DescribeTrafficSourcesCommand).rejects(awsError('AccessDenied', 'not authorized'));

    const error = await thrown(handler({ groupName: BLUE, targetGroupArns: [MAIN_TG] }));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('DescribeTrafficSources failed: AccessDenied');
  });
});
