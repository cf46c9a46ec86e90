import { handler } from '../../lambdas/scale-group-to-zero/handler';
import { autoScaling } from '../../lambdas/shared/aws/auto-scaling';
import { callAws, CLIENT_CONFIG } from '../../lambdas/shared/aws/call';
import { cloudWatch } from '../../lambdas/shared/aws/cloudwatch';
import { ec2 } from '../../lambdas/shared/aws/ec2';
import { elb } from '../../lambdas/shared/aws/elb';
import { iamClient } from '../../lambdas/shared/aws/iam';
import { sns } from '../../lambdas/shared/aws/sns';
import { stepFunctions } from '../../lambdas/shared/aws/step-functions';
import { createHarness, rejection as thrown } from '../support/account';

/** What @smithy/node-http-handler throws for a socket that timed out or was reset, after the SDK's retries. */
function connectionError(message: string, code?: string): Error {
  return Object.assign(new Error(message), {
    name: 'TimeoutError',
    ...(code ? { code } : {}),
    $metadata: { attempts: 3, totalRetryDelay: 412 },
  });
}

describe("the steps' SDK clients", () => {
  it.each([
    ['Auto Scaling', autoScaling],
    ['EC2', ec2],
    ['ELBv2', elb],
    ['CloudWatch', cloudWatch],
    ['SNS', sns],
    ['IAM', iamClient],
    ['Step Functions', stepFunctions],
  ])(
    '%s makes 5 attempts of a throttled or failing call before the step sees the error (the SDK default is 3)',
    async (_service, client) => {
      expect(await client.config.maxAttempts()).toBe(5);
      expect(CLIENT_CONFIG.maxAttempts).toBe(5);
    },
  );
});

describe('callAws: how an AWS failure is named for the state machine', () => {
  it.each([
    ['a reset connection', connectionError('socket hang up', 'ECONNRESET')],
    ['a socket timeout', connectionError('the request socket timed out after 30000 ms of inactivity')],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } }),
    ],
    ['a DNS failure', Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' })],
  ])(
    '%s after the SDK’s retries is a TransientAwsError, which the workflow retries',
    async (_what, error) => {
      const failure = await thrown(callAws('UpdateAutoScalingGroup', () => Promise.reject(error)));

      expect(failure.name).toBe('TransientAwsError');
      expect(failure.message).toContain('UpdateAutoScalingGroup failed:');
    },
  );

  it.each([
    ['SNS (ThrottledException, 429)', 'ThrottledException', 429],
    ['any service, by its status (429)', 'SomethingNew', 429],
  ])('throttling by %s is a TransientAwsError', async (_what, name, httpStatusCode) => {
    const error = Object.assign(new Error('Rate exceeded'), {
      name,
      $fault: 'client',
      $metadata: { httpStatusCode, attempts: 3 },
    });

    const failure = await thrown(callAws('Publish', () => Promise.reject(error)));

    expect(failure.name).toBe('TransientAwsError');
  });

  it('a step whose call timed out fails with TransientAwsError, so Step Functions runs it again', async () => {
    // Every attempt's connection is reset after the change was made: the SDK gives up with the socket's error.
    const h = createHarness({
      customize: (env) => Object.assign(env.groups.green, { min: 1, desired: 1, max: 3 }),
      faults: { loseAnswer: (operation) => operation === 'autoscaling:UpdateAutoScalingGroup' && 'timeout' },
    });
    try {
      const error = await thrown(handler({ groupName: h.green }));

      expect(error.name).toBe('TransientAwsError');
      expect(error.message).toContain('UpdateAutoScalingGroup failed: TimeoutError: socket hang up');
      // The change was made all the same: the run Step Functions makes next finds the group on its way to zero.
      expect(h.group(h.green)).toMatchObject({ min: 0, desired: 0 });
    } finally {
      h.dispose();
    }
  });

  it('an error that is neither throttling, a 5xx nor a lost connection is an AwsRequestError', async () => {
    const failure = await thrown(
      callAws('UpdateAutoScalingGroup', () =>
        Promise.reject(Object.assign(new Error('no such group'), { name: 'ValidationError' })),
      ),
    );

    expect(failure.name).toBe('AwsRequestError');
  });
});
