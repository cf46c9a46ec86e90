import {
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  EnterStandbyCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeImagesCommand, EC2ServiceException } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { defaultEnvironment, SimulatedAccount } from '../../../simulator/account';
import { SDK_MAX_ATTEMPTS } from '../../../simulator/account/account';
import { recordedExecution, StepFunctionsExecutions } from '../../../simulator/account/step-functions';
import { STATE_MACHINE_ARN } from '../../support/account';
import { createHarness, rejection, type Harness } from './harness';

describe('injected faults and the API call record', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('throttles every service with its own error', async () => {
    h = createHarness({ faults: { throttleProbability: 1 } });
    const asg = await rejection(h.asg.send(new DescribeAutoScalingGroupsCommand({})));
    expect(asg).toBeInstanceOf(AutoScalingServiceException);
    expect([asg.name, asg.message, asg.$fault, asg.$metadata?.httpStatusCode]).toEqual([
      'Throttling',
      'Rate exceeded',
      'client',
      400,
    ]);
    const ec2 = await rejection(h.ec2.send(new DescribeImagesCommand({})));
    expect(ec2).toBeInstanceOf(EC2ServiceException);
    expect(ec2.name).toBe('RequestLimitExceeded');
    expect(
      (await rejection(h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: h.main })))).name,
    ).toBe('ThrottlingException');
    expect((await rejection(h.cloudWatch.send(new DescribeAlarmsCommand({})))).name).toBe('Throttling');
    // IAM and Step Functions API references, Common Errors: ThrottlingException.
    const iam = new IAMClient({ region: 'us-east-1' });
    const profile = iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'webapp' }));
    expect((await rejection(profile)).name).toBe('ThrottlingException');
    const sfn = new SFNClient({ region: 'us-east-1' });
    const list = sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN }));
    expect((await rejection(list)).name).toBe('ThrottlingException');
  });

  it('fails with transient 5xx errors before doing anything', async () => {
    h = createHarness({ faults: { transientErrorProbability: 1 } });
    const names = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const error = await rejection(h.asg.send(new DescribeAutoScalingGroupsCommand({})));
      expect(error.$fault).toBe('server');
      expect([500, 503]).toContain(error.$metadata?.httpStatusCode);
      names.add(error.name);
    }
    expect(names).toEqual(new Set(['InternalFailure', 'ServiceUnavailable']));
  });

  it('retries a faulted attempt as the SDK standard retry mode would: the caller sees it after 3 failed attempts', async () => {
    h = createHarness({ faults: { throttleProbability: 1 } });
    await rejection(h.asg.send(new DescribeAutoScalingGroupsCommand({})));
    expect(h.account.apiCalls.byOperation['autoscaling:DescribeAutoScalingGroups']).toBe(SDK_MAX_ATTEMPTS);
  });

  it('makes as many attempts as the calling client is configured for (maxAttempts)', async () => {
    h = createHarness({ faults: { throttleProbability: 1 } });
    const patient = new AutoScalingClient({ region: 'us-east-1', maxAttempts: 5 });
    const error = await rejection(patient.send(new DescribeAutoScalingGroupsCommand({})));
    expect(error.name).toBe('Throttling');
    expect(h.account.apiCalls.byOperation['autoscaling:DescribeAutoScalingGroups']).toBe(5);
  });

  it('lets a call through when a retry succeeds, counting every attempt', async () => {
    h = createHarness({ seed: 3, faults: { throttleProbability: 0.5 } });
    let failed = 0;
    for (let i = 0; i < 200; i++) {
      await h.asg.send(new DescribeAutoScalingGroupsCommand({})).catch(() => failed++);
    }
    const attempts = h.account.apiCalls.byOperation['autoscaling:DescribeAutoScalingGroups'] ?? 0;
    // Half the attempts fail: about 1 call in 8 fails all three, and retries add about 75% more attempts.
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(45);
    expect(attempts).toBeGreaterThan(300);
  });

  it('loses the answer to a call it applied: the SDK retry meets the account as the first attempt left it', async () => {
    h = createHarness({ faults: { lostResponseProbability: 1 } });
    const [instance] = h.account.snapshot().groups[h.blue].instances;
    const error = await rejection(
      h.asg.send(
        new EnterStandbyCommand({
          AutoScalingGroupName: h.blue,
          InstanceIds: [instance.id],
          ShouldDecrementDesiredCapacity: false,
        }),
      ),
    );
    expect([error.name, error.message]).toEqual([
      'ValidationError',
      `The instance ${instance.id} is not in InService.`,
    ]);
    expect(h.account.snapshot().groups[h.blue].instances[0].lifecycleState).toBe('EnteringStandby');
    expect(h.account.apiCalls.byOperation['autoscaling:EnterStandby']).toBe(2);
  });

  it.each([
    ['timeout', 'TimeoutError', undefined],
    ['server-error', undefined, 'server'],
  ] as const)(
    'a lost answer on the last attempt (%s) fails the call with the error the SDK gives up with; the change is made',
    async (how, name, fault) => {
      h = createHarness({
        faults: { loseAnswer: (operation) => operation === 'autoscaling:UpdateAutoScalingGroup' && how },
      });
      const error = await rejection(
        h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, MaxSize: 4 })),
      );
      if (name) expect(error.name).toBe(name);
      if (fault) expect([error.$fault, error.$metadata?.httpStatusCode]).toEqual([fault, expect.any(Number)]);
      expect((error as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(SDK_MAX_ATTEMPTS);
      expect(h.account.snapshot().groups[h.green].max).toBe(4);
      expect(h.account.apiCalls.byOperation['autoscaling:UpdateAutoScalingGroup']).toBe(SDK_MAX_ATTEMPTS);
    },
  );

  it('a retry after a lost answer can itself be throttled or lost', async () => {
    h = createHarness({ seed: 7, faults: { throttleProbability: 0.5, lostResponseProbability: 0.5 } });
    const outcomes = new Set<string>();
    for (let i = 0; i < 100; i++) {
      await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, MaxSize: 4 })).then(
        (answer) => outcomes.add(`ok after ${answer.$metadata.attempts}`),
        (error: Error) => outcomes.add(error.name),
      );
    }
    expect(outcomes).toEqual(
      new Set([
        'ok after 1',
        'ok after 2',
        'ok after 3',
        'Throttling',
        'TimeoutError',
        'InternalFailure',
        'ServiceUnavailable',
      ]),
    );
  });

  it('is deterministic for a seed', async () => {
    const outcomes = async (seed: number) => {
      h = createHarness({ seed, faults: { throttleProbability: 0.3, transientErrorProbability: 0.2 } });
      const results: string[] = [];
      for (let i = 0; i < 30; i++) {
        results.push(
          await h.asg.send(new DescribeAutoScalingGroupsCommand({})).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        );
      }
      const ids = h.account.snapshot().groups[h.blue]?.instances.map((instance) => instance.id);
      h.dispose();
      return { results, ids };
    };
    const first = await outcomes(42);
    expect(first.results).toContain('ok');
    expect(first.results).toContain('Throttling');
    expect(await outcomes(42)).toEqual(first);
    expect((await outcomes(43)).results).not.toEqual(first.results);
    h = createHarness(); // for afterEach
  });

  it('counts calls by operation and reports them to onApiCall', async () => {
    h = createHarness();
    const seen: [string, unknown][] = [];
    h.account.onApiCall = (operation, input) => seen.push([operation, input]);
    await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [h.blue] }));
    await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: h.main }));
    await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: h.main }));
    expect(h.account.apiCalls).toEqual({
      total: 3,
      byOperation: {
        'autoscaling:DescribeAutoScalingGroups': 1,
        'elasticloadbalancing:DescribeTargetHealth': 2,
      },
    });
    expect(seen[0]).toEqual(['autoscaling:DescribeAutoScalingGroups', { AutoScalingGroupNames: [h.blue] }]);
  });

  it('leaves Step Functions alone unless asked to serve it (the engine does, with its executions)', () => {
    h = createHarness();
    h.dispose();
    const account = new SimulatedAccount(defaultEnvironment());
    account.install();
    try {
      expect(SFNClient.prototype.send).not.toHaveProperty('callsFake');
      account.serve('states', new StepFunctionsExecutions(STATE_MACHINE_ARN, recordedExecution).routes());
      expect(SFNClient.prototype.send).toHaveProperty('callsFake');
    } finally {
      account.uninstall();
    }
    expect(SFNClient.prototype.send).not.toHaveProperty('callsFake');
    h = createHarness();
  });

  it('fails the attempts a test chooses, of the operation it chooses, before they take effect', async () => {
    h = createHarness({
      faults: {
        failAttempt: (operation, attempt) =>
          operation === 'autoscaling:UpdateAutoScalingGroup' && attempt === 1 && 'throttling',
      },
    });
    const update = new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, MaxSize: 2 });

    const answer = await h.asg.send(update);

    expect(answer.$metadata.attempts).toBe(2);
    expect(h.group(h.green).max).toBe(2);
    expect(h.applied.map((call) => call.operation)).toEqual(['autoscaling:UpdateAutoScalingGroup']);
    await h.asg.send(new DescribeAutoScalingGroupsCommand({}));
    h.account.setFaults({ failAttempt: () => 'server-error' });
    const error = await rejection(h.asg.send(update));
    expect([error.$fault, error.$metadata?.httpStatusCode && error.$metadata.httpStatusCode >= 500]).toEqual([
      'server',
      true,
    ]);
    expect(h.applied).toHaveLength(2); // the describe; the failed update took no effect
  });

  it('uninstall restores the real clients', async () => {
    h = createHarness();
    h.account.uninstall();
    expect(h.asg.send).not.toHaveProperty('callsFake');
  });
});
