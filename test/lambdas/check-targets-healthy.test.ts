import {
  AttachTrafficSourcesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/check-targets-healthy/handler';
import { DEFAULT_AMIS } from '../../simulator/account';
import {
  createHarness,
  rejection,
  targetGroupArn,
  type Harness,
  type HarnessOptions,
} from '../support/account';

let h: Harness;

function input(wait: { startedAt: string | null } = { startedAt: null }, timeoutSeconds = 600) {
  return { groupName: h.green, targetGroupArn: h.main, wait, timeoutSeconds };
}

/** Green runs `count` instances (of AMI `next` with `options.newVersion`), attached to the main target group. */
function green(
  count: number,
  options: HarnessOptions = {},
  healthCheckType: 'EC2' | 'ELB' = 'ELB',
  attached = true,
): void {
  h = createHarness({
    ...options,
    customize: (env) =>
      Object.assign(env.groups.green, {
        healthCheckType,
        desired: count,
        max: Math.max(count, 4),
        amiId: DEFAULT_AMIS.next,
        attachedTargetGroups: count > 0 && attached ? [env.mainTargetGroup.arn] : [],
      }),
  });
}

/** The owner asks green for `desired` instances; the account runs `seconds`. */
async function scaleGreen(desired: number, seconds = 1): Promise<void> {
  await h.asg.send(
    new SetDesiredCapacityCommand({ AutoScalingGroupName: h.green, DesiredCapacity: desired }),
  );
  h.run(seconds);
}

/**
 * Every green instance fails its health checks, and the main target group has found out (the group checks
 * EC2 health only, so it does not replace them).
 */
function failingGreen(count: number): void {
  green(count, { newVersion: { failHealthChecks: true } }, 'EC2');
  const ids = h.idsIn(h.green, 'InService');
  h.until(() => ids.every((id) => h.health(h.main)[id] === 'unhealthy'));
  h.forgetCalls();
}

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

afterEach(() => h.dispose());

describe('check-targets-healthy', () => {
  it('is done when every InService instance is healthy and there are as many as desired', async () => {
    green(3);

    const output = await handler(input());

    expect(output).toEqual({
      startedAt: ago(0),
      done: true,
      elapsedSeconds: 0,
      detail: '3 of 3 targets of webapp-green healthy in webapp-main',
    });
    expect(h.inputs('DescribeTargetHealth')).toEqual([{ TargetGroupArn: h.main }]);
    expect(h.changes()).toEqual([]);
  });

  it('waits while a target is still in its initial health checks, and says how many are healthy', async () => {
    // Green was attached a moment ago: its targets have not had their first health check yet.
    green(3, {}, 'ELB', false);
    await h.asg.send(
      new AttachTrafficSourcesCommand({
        AutoScalingGroupName: h.green,
        TrafficSources: [{ Identifier: h.main }],
      }),
    );

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('0 of 3 targets of webapp-green healthy in webapp-main (3 initial)');
    h.run(10);
    expect(await handler(input())).toMatchObject({ done: true });
  });

  it('counts an InService instance that is not registered in the target group as not healthy', async () => {
    // With AddToLoadBalancer suspended, a launched instance is not registered with the target group.
    green(1);
    await h.asg.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: h.green, ScalingProcesses: ['AddToLoadBalancer'] }),
    );
    await scaleGreen(2);
    h.until(() => h.idsIn(h.green, 'InService').length === 2);

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('1 of 2 targets of webapp-green healthy in webapp-main (1 not registered)');
  });

  it('I1: waits until as many instances as desired are InService, even if those present are healthy', async () => {
    green(2);
    await scaleGreen(3);
    expect(h.idsIn(h.green, 'Pending')).toHaveLength(1);

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe(
      '2 of 3 targets of webapp-green healthy in webapp-main; 2 of 3 instances InService',
    );
  });

  it('I1: an empty group is never done (there would be nobody to serve)', async () => {
    green(0);

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe(
      '0 of 1 targets of webapp-green healthy in webapp-main; 0 of 1 instances InService',
    );
    expect(h.inputs('DescribeTargetHealth')).toEqual([]);
  });

  it('does not count healthy targets of other groups', async () => {
    failingGreen(2);
    expect(Object.values(h.health(h.main)).filter((state) => state === 'healthy')).toHaveLength(3);

    const output = await handler(input());

    expect(output.done).toBe(false);
    expect(output.detail).toBe('0 of 2 targets of webapp-green healthy in webapp-main (2 unhealthy)');
  });

  it('I7: judges 250 instances with one describe of each kind and a constant-size answer', async () => {
    green(250);

    const output = await handler(input());

    expect(output.done).toBe(true);
    expect(Object.keys(output).sort()).toEqual(['detail', 'done', 'elapsedSeconds', 'startedAt']);
    expect(output.detail).toBe('250 of 250 targets of webapp-green healthy in webapp-main');
    expect(h.inputs('DescribeAutoScalingGroups')).toHaveLength(1);
    expect(h.inputs('DescribeTargetHealth')).toHaveLength(1);
  });

  it('throws WaitTimeoutError with the progress once the deadline has passed', async () => {
    failingGreen(2);

    const error = await rejection(handler(input({ startedAt: ago(601) }, 600)));

    expect(error.name).toBe('WaitTimeoutError');
    expect(error.message).toContain('0 of 2 targets of webapp-green healthy in webapp-main (2 unhealthy)');
  });

  it('reports a target group that does not exist as AwsRequestError', async () => {
    green(1);

    const error = await rejection(handler({ ...input(), targetGroupArn: targetGroupArn(42) }));

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toContain('TargetGroupNotFound');
  });

  it('reports a group that does not exist as InconsistentAccountError naming it', async () => {
    green(1);

    const error = await rejection(handler({ ...input(), groupName: 'webapp-nope' }));

    expect(error.name).toBe('InconsistentAccountError');
    expect(error.message).toContain('webapp-nope');
  });

  it('maps ELB throttling to TransientAwsError', async () => {
    green(1, {
      faults: {
        failAttempt: (operation) => operation === 'elasticloadbalancing:DescribeTargetHealth' && 'throttling',
      },
    });

    expect((await rejection(handler(input()))).name).toBe('TransientAwsError');
  });

  it('rejects a target group name given instead of its ARN before any AWS call', async () => {
    green(1);

    const error = await rejection(handler({ ...input(), targetGroupArn: 'webapp-main' }));

    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toContain('targetGroupArn');
    expect(h.account.apiCalls.total).toBe(0);
  });
});
