import { ListExecutionsCommand, SFNClient, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../lambdas/guard-single-deployment/handler';
import { logger } from '../../lambdas/shared/logger';

const sfn = mockClient(SFNClient);

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-deploy';
const arnOf = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:webapp-deploy:${name}`;
const T0 = '2025-01-01T10:00:00.000Z';

function executionRef(name: string, startTime: string) {
  return { id: arnOf(name), name, stateMachineArn: STATE_MACHINE, startTime };
}

function running(name: string, startTime: string): ExecutionListItem {
  return {
    executionArn: arnOf(name),
    name,
    stateMachineArn: STATE_MACHINE,
    status: 'RUNNING',
    startDate: new Date(startTime),
  };
}

/** ListExecutions over `items` (newest first, like AWS), `pageSize` per page with opaque tokens. */
function givenRunning(items: ExecutionListItem[], pageSize = 1000): void {
  const sorted = [...items].sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
  sfn.on(ListExecutionsCommand).callsFake((input: { nextToken?: string; statusFilter?: string }) => {
    const start = input.nextToken ? Number(input.nextToken.replace('page-', '')) : 0;
    const page = sorted.filter((item) => item.status === input.statusFilter).slice(start, start + pageSize);
    const next = start + pageSize;
    return { executions: page, nextToken: next < sorted.length ? `page-${next}` : undefined };
  });
}

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => sfn.reset());

describe('guard-single-deployment', () => {
  it('lets the only running execution proceed, asking for RUNNING executions of its state machine', async () => {
    givenRunning([running('me', T0)]);
    await expect(handler({ execution: executionRef('me', T0) })).resolves.toEqual({ runningExecutions: 0 });
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, {
      stateMachineArn: STATE_MACHINE,
      statusFilter: 'RUNNING',
    });
  });

  it('proceeds when its own execution is not listed yet (eventual consistency)', async () => {
    givenRunning([]);
    await expect(handler({ execution: executionRef('me', T0) })).resolves.toEqual({ runningExecutions: 0 });
  });

  it('I5: refuses when an earlier execution is running, naming it, when it started and what to do', async () => {
    givenRunning([running('me', T0), running('earlier', '2025-01-01T09:58:00.000Z')]);
    const failure = handler({ execution: executionRef('me', T0) });
    await expect(failure).rejects.toMatchObject({ name: 'DeploymentInProgressError' });
    await expect(failure).rejects.toThrow(
      /execution earlier \(arn:.*:earlier\) started at 2025-01-01T09:58:00.000Z/,
    );
    await expect(failure).rejects.toThrow(
      `aws stepfunctions stop-execution --execution-arn ${arnOf('earlier')}`,
    );
  });

  it('I5: proceeds ahead of executions that started later, counting them', async () => {
    givenRunning([
      running('me', T0),
      running('later-1', '2025-01-01T10:00:01.000Z'),
      running('later-2', '2025-01-01T10:05:00.000Z'),
    ]);
    await expect(handler({ execution: executionRef('me', T0) })).resolves.toEqual({ runningExecutions: 2 });
  });

  it('I5: names the earliest of several executions ahead', async () => {
    givenRunning([
      running('me', T0),
      running('second', '2025-01-01T09:59:00.000Z'),
      running('first', '2025-01-01T09:50:00.000Z'),
    ]);
    await expect(handler({ execution: executionRef('me', T0) })).rejects.toThrow(
      /execution first .* \(and 1 more queued before this one\)/,
    );
  });

  it('I5: of two executions started in the same millisecond exactly one proceeds (ARN order)', async () => {
    givenRunning([running('b-run', T0), running('a-run', T0)]);
    const outcomes = await Promise.allSettled([
      handler({ execution: executionRef('a-run', T0) }),
      handler({ execution: executionRef('b-run', T0) }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
      name: 'DeploymentInProgressError',
    });
  });

  it('compares start times as instants, not as strings', async () => {
    // Same instant written with an offset: still a tie, decided by ARN.
    givenRunning([running('a-run', T0)]);
    await expect(
      handler({ execution: executionRef('b-run', '2025-01-01T11:00:00.000+01:00') }),
    ).rejects.toMatchObject({ name: 'DeploymentInProgressError' });
  });

  it('I7: follows nextToken across pages and finds an earlier execution on the last page', async () => {
    const later = Array.from({ length: 2_500 }, (_, index) =>
      running(`later-${index}`, new Date(Date.parse(T0) + 1_000 * (index + 1)).toISOString()),
    );
    givenRunning([...later, running('me', T0), running('earlier', '2025-01-01T09:00:00.000Z')]);

    await expect(handler({ execution: executionRef('me', T0) })).rejects.toMatchObject({
      name: 'DeploymentInProgressError',
    });
    expect(sfn).toHaveReceivedCommandTimes(ListExecutionsCommand, 3);
    expect(sfn).toHaveReceivedNthCommandWith(2, ListExecutionsCommand, {
      nextToken: 'page-1000',
      maxResults: 1000,
    });
    expect(sfn).toHaveReceivedNthCommandWith(3, ListExecutionsCommand, { nextToken: 'page-2000' });
  });

  it('I7: many later executions produce a count, not a list', async () => {
    const later = Array.from({ length: 250 }, (_, index) =>
      running(`later-${index}`, new Date(Date.parse(T0) + 1_000 * (index + 1)).toISOString()),
    );
    givenRunning([running('me', T0), ...later]);
    const output = await handler({ execution: executionRef('me', T0) });
    expect(output).toEqual({ runningExecutions: 250 });
  });

  it('maps throttling to TransientAwsError and a denied call to AwsRequestError', async () => {
    sfn.on(ListExecutionsCommand).rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(handler({ execution: executionRef('me', T0) })).rejects.toMatchObject({
      name: 'TransientAwsError',
    });
    sfn.reset();
    sfn.on(ListExecutionsCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    await expect(handler({ execution: executionRef('me', T0) })).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringContaining('ListExecutions'),
    });
  });

  it('I8: an unreadable start time is rejected before any AWS call', async () => {
    givenRunning([]);
    await expect(handler({ execution: executionRef('me', 'yesterday') })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('execution.startTime'),
    });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('I6: a second run gives the same answer and changes nothing', async () => {
    givenRunning([running('me', T0), running('later', '2025-01-01T10:01:00.000Z')]);
    const first = await handler({ execution: executionRef('me', T0) });
    const second = await handler({ execution: executionRef('me', T0) });
    expect(second).toEqual(first);
    // ListExecutions is the only call the guard makes: it never stops or starts anything.
    expect(sfn.calls().every((call) => call.args[0] instanceof ListExecutionsCommand)).toBe(true);
  });
});
