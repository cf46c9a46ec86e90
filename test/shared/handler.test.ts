import * as z from 'zod/mini';
import { callAws } from '../../lambdas/shared/aws/call';
import { AwsRequestError, TransientAwsError } from '../../lambdas/shared/errors';
import { defineHandler, type LambdaContext } from '../../lambdas/shared/handler';
import { logger } from '../../lambdas/shared/logger';

const context: LambdaContext = {
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  functionName: 'webapp-scale-group-to-zero',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:webapp-scale-group-to-zero',
  memoryLimitInMB: '256',
};

/** The JSON lines the logger writes while `run` runs, at INFO. */
async function logLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  const level = logger.getLevelName();
  logger.setLogLevel('INFO');
  try {
    await run();
  } finally {
    logger.setLogLevel(level);
    write.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a step handler', () => {
  const handler = defineHandler('report-outcome', z.object({ value: z.number() }), async ({ value }) => ({
    value,
  }));

  it('logs with the invocation’s request id, to find one invocation among many', async () => {
    const lines = await logLines(() => handler({ value: 1 }, context));
    expect(lines.map((line) => line.message)).toEqual(['step started', 'step finished']);
    for (const line of lines) {
      expect(line).toMatchObject({
        step: 'report-outcome',
        function_request_id: context.awsRequestId,
        function_name: context.functionName,
      });
    }
  });
});

describe('an AWS call that fails', () => {
  it.each([
    [
      'a transient fault',
      Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }),
      TransientAwsError,
    ],
    ['a refusal', Object.assign(new Error('No such group'), { name: 'ValidationError' }), AwsRequestError],
  ])('keeps the SDK’s error as the cause of %s', async (_what, sdkError, named) => {
    const failure = callAws('DescribeAutoScalingGroups', () => Promise.reject(sdkError));
    await expect(failure).rejects.toBeInstanceOf(named);
    await expect(failure).rejects.toHaveProperty('cause', sdkError);
  });
});
