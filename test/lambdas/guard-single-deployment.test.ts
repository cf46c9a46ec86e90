import { handler } from '../../lambdas/guard-single-deployment/handler';
import { handler as waitForTurn } from '../../lambdas/wait-for-turn/handler';
import { ADMISSION_STATES, KEY_STATES } from '../../lambdas/shared/contract';
import { LISTING_LAG_MS, type ExecutionSummary } from '../../simulator/account/step-functions';
import { createHarness, denying, STATE_MACHINE_ARN, type Harness } from '../support/account';

const T0 = '2025-01-01T10:00:00.000Z';

let h: Harness;
beforeEach(() => {
  h = createHarness({ now: Date.parse('2025-01-01T08:00:00.000Z') });
});
afterEach(() => h.dispose());

/**
 * Starts an execution named `name` at `startTime` (the clock is moved there first), standing in `state`: by
 * default the guard's first look, where it is being admitted.
 */
function startAt(
  name: string,
  startTime: string,
  state: string = ADMISSION_STATES.guard.first,
  trigger: 'pipeline' | 'ami-event' = 'pipeline',
): ExecutionSummary {
  h.clock.setSystemTime(Date.parse(startTime));
  const execution = h.stepFunctions.start({ amiId: THEIR_AMI, trigger }, name);
  enter(execution, state);
  return execution;
}

/** The execution enters `state`, as its history records it. */
function enter(execution: ExecutionSummary, state: string): void {
  execution.history.push({
    id: execution.history.length + 1,
    timestamp: new Date(),
    type: 'TaskStateEntered',
    stateEnteredEventDetails: { name: state },
  });
}

/** Moves the clock past `time` by long enough for every execution started until then to be listed. */
function listedAfter(time: string): void {
  h.clock.setSystemTime(Date.parse(time) + LISTING_LAG_MS + 1_000);
}

/** The AMI the other executions deploy (startAt), and the one the guarded execution does unless told. */
const THEIR_AMI = 'ami-0a1b2c3d4e5f60002';
const OWN_AMI = 'ami-0a1b2c3d4e5f60003';

/** What the state machine passes the guard: `$$.Execution` of the execution named `name`, and its request. */
function guardOf(
  name: string,
  startTime = T0,
  request: { amiId: string; trigger: 'pipeline' | 'ami-event' } = { amiId: OWN_AMI, trigger: 'pipeline' },
  whileDeploying: 'reject' | 'queue-newest' = 'reject',
) {
  const arn = h.stepFunctions.executions.find((execution) => execution.name === name)?.arn;
  return {
    execution: {
      id: arn ?? `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`,
      name,
      stateMachineArn: STATE_MACHINE_ARN,
      startTime,
    },
    ...request,
    whileDeploying,
    amiSelector: { tag: { key: 'Application', value: 'webapp' }, versionTag: 'Version' },
  };
}

/** The guard's answer when this execution deploys. */
function proceeds(runningExecutions: number) {
  return { runningExecutions, duplicateOf: null, supersededBy: null, queuedBehind: null };
}

describe('guard-single-deployment', () => {
  it('lets the only running execution proceed, listing the RUNNING executions of its state machine', async () => {
    startAt('me', T0);
    listedAfter(T0);
    await expect(handler(guardOf('me'))).resolves.toEqual(proceeds(0));
    expect(h.inputs('ListExecutions')).toEqual([
      expect.objectContaining({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'RUNNING' }),
    ]);
  });

  it('proceeds when its own execution is not listed yet (eventual consistency)', async () => {
    startAt('me', T0);
    await expect(handler(guardOf('me'))).resolves.toEqual(proceeds(0));
  });

  it('I5: refuses when an earlier execution is running, naming it, when it started and what to do', async () => {
    const earlier = startAt('earlier', '2025-01-01T09:58:00.000Z');
    startAt('me', T0);
    listedAfter(T0);
    const failure = handler(guardOf('me'));
    await expect(failure).rejects.toMatchObject({ name: 'DeploymentInProgressError' });
    await expect(failure).rejects.toThrow(
      /execution earlier \(arn:.*:earlier\) started at 2025-01-01T09:58:00.000Z/,
    );
    await expect(failure).rejects.toThrow(`aws stepfunctions stop-execution --execution-arn ${earlier.arn}`);
  });

  it('I5: an earlier execution that has ended does not count', async () => {
    const earlier = startAt('earlier', '2025-01-01T09:58:00.000Z');
    startAt('me', T0);
    listedAfter(T0);
    earlier.abort();
    // Once ListExecutions has caught up with its end (the test below: before it has).
    h.clock.setSystemTime(Date.now() + LISTING_LAG_MS + 1_000);
    await expect(handler(guardOf('me'))).resolves.toEqual(proceeds(0));
  });

  it('I5: proceeds ahead of executions that started later, counting them', async () => {
    startAt('me', T0);
    startAt('later-1', '2025-01-01T10:00:01.000Z');
    startAt('later-2', '2025-01-01T10:05:00.000Z');
    listedAfter('2025-01-01T10:05:00.000Z');
    await expect(handler(guardOf('me'))).resolves.toEqual(proceeds(2));
  });

  it('I5: names the earliest of several executions ahead', async () => {
    startAt('first', '2025-01-01T09:50:00.000Z');
    startAt('second', '2025-01-01T09:59:00.000Z');
    startAt('me', T0);
    listedAfter(T0);
    await expect(handler(guardOf('me'))).rejects.toThrow(
      /execution first .* \(and 1 more queued before this one\)/,
    );
  });

  it('I5: of two executions started in the same millisecond exactly one proceeds (ARN order)', async () => {
    startAt('b-run', T0);
    startAt('a-run', T0);
    listedAfter(T0);
    const outcomes = await Promise.allSettled([handler(guardOf('a-run')), handler(guardOf('b-run'))]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
      name: 'DeploymentInProgressError',
    });
  });

  it('compares start times as instants, not as strings', async () => {
    startAt('a-run', T0);
    listedAfter(T0);
    // Same instant written with an offset: still a tie, decided by ARN.
    await expect(handler(guardOf('b-run', '2025-01-01T11:00:00.000+01:00'))).rejects.toMatchObject({
      name: 'DeploymentInProgressError',
    });
  });

  it('I7: follows nextToken across pages and finds an earlier execution on the last page', async () => {
    startAt('earlier', '2025-01-01T09:00:00.000Z');
    startAt('me', T0);
    const last = new Date(Date.parse(T0) + 2_500_000).toISOString();
    for (let index = 0; index < 2_500; index++)
      startAt(`later-${index}`, new Date(Date.parse(T0) + 1_000 * (index + 1)).toISOString());
    listedAfter(last);

    await expect(handler(guardOf('me'))).rejects.toMatchObject({ name: 'DeploymentInProgressError' });
    // 2,502 running executions, newest first, 1,000 a page: the earlier one is on the third page.
    const pages = h.inputs<{ nextToken?: string; maxResults?: number }>('ListExecutions');
    expect(pages).toHaveLength(3);
    expect(pages.map((page) => page.maxResults)).toEqual([1000, 1000, 1000]);
    expect(pages[0].nextToken).toBeUndefined();
    expect(pages[1].nextToken).toEqual(expect.any(String));
    expect(pages[2].nextToken).toEqual(expect.any(String));
  });

  it('I7: many later executions produce a count, not a list', async () => {
    startAt('me', T0);
    for (let index = 0; index < 250; index++)
      startAt(`later-${index}`, new Date(Date.parse(T0) + 1_000 * (index + 1)).toISOString());
    listedAfter(new Date(Date.parse(T0) + 250_000).toISOString());
    await expect(handler(guardOf('me'))).resolves.toEqual(proceeds(250));
  });

  it('a throttled listing is a TransientAwsError (retried by the workflow)', async () => {
    startAt('me', T0);
    listedAfter(T0);
    h.account.setFaults({
      failAttempt: (operation) => operation === 'states:ListExecutions' && 'throttling',
    });
    await expect(handler(guardOf('me'))).rejects.toMatchObject({ name: 'TransientAwsError' });
  });

  it('a listing its role does not allow is an AwsRequestError naming the call', async () => {
    startAt('me', T0);
    listedAfter(T0);
    await expect(denying(['states:ListExecutions'], () => handler(guardOf('me')))).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringContaining('ListExecutions'),
    });
  });

  it('I8: an unreadable start time is rejected before any AWS call', async () => {
    await expect(handler(guardOf('me', 'yesterday'))).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('execution.startTime'),
    });
    expect(h.applied).toHaveLength(0);
  });

  it('I6: a second run gives the same answer and changes nothing', async () => {
    startAt('me', T0);
    startAt('later', '2025-01-01T10:01:00.000Z');
    listedAfter('2025-01-01T10:01:00.000Z');
    const first = await handler(guardOf('me'));
    const second = await handler(guardOf('me'));
    expect(second).toEqual(first);
    // The guard only reads: it never stops or starts anything.
    expect(h.applied.map((call) => call.operation)).toEqual([
      'states:ListExecutions',
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:ListExecutions',
      'states:DescribeExecution',
      'states:GetExecutionHistory',
    ]);
    expect(h.stepFunctions.executions.map((execution) => execution.status)).toEqual(['RUNNING', 'RUNNING']);
  });

  describe('counts only executions past the AMI check (docs/design.md#the-guard)', () => {
    it.each([
      KEY_STATES.validate,
      `${ADMISSION_STATES.beforeGuard.waitForTags}: pause`,
      ADMISSION_STATES.beforeGuard.ofThisApplication,
      ADMISSION_STATES.endings.reportNotNewer,
      ADMISSION_STATES.endings.reportRejected,
    ])('ignores an earlier execution in "%s": it holds no deployment back', async (state) => {
      startAt('earlier', '2025-01-01T09:58:00.000Z', state);
      startAt('me', T0);
      listedAfter(T0);
      await expect(handler(guardOf('me'))).resolves.toEqual(proceeds(1));
      expect(h.inputs('GetExecutionHistory')).toEqual([
        expect.objectContaining({ reverseOrder: true, includeExecutionData: false }),
      ]);
    });

    it('refuses behind a later execution already deploying (it passed the guard while this one checked its AMI)', async () => {
      startAt('me', '2025-01-01T09:58:00.000Z', `${ADMISSION_STATES.beforeGuard.waitForTags}: pause`);
      startAt('later', T0, 'Find the active and standby groups');
      listedAfter(T0);
      await expect(handler(guardOf('me', '2025-01-01T09:58:00.000Z'))).rejects.toThrow(
        /Another deployment is running: execution later/,
      );
    });

    it('lets an earlier execution being admitted go first, as before', async () => {
      startAt('earlier', '2025-01-01T09:58:00.000Z', ADMISSION_STATES.guard.settle);
      startAt('me', T0);
      listedAfter(T0);
      await expect(handler(guardOf('me'))).rejects.toMatchObject({ name: 'DeploymentInProgressError' });
    });
  });

  describe('one deployment per AMI (docs/design.md#one-deployment-per-ami)', () => {
    const event = { amiId: THEIR_AMI, trigger: 'ami-event' as const };
    const pipeline = { amiId: THEIR_AMI, trigger: 'pipeline' as const };

    it("an AMI event leaves its AMI to a pipeline's request for it, whichever started first", async () => {
      startAt('me', '2025-01-01T09:58:00.000Z', ADMISSION_STATES.guard.first, 'ami-event');
      startAt('pipeline', T0);
      listedAfter(T0);
      await expect(handler(guardOf('me', '2025-01-01T09:58:00.000Z', event))).resolves.toMatchObject({
        duplicateOf: expect.stringMatching(
          /^ami-0a1b2c3d4e5f60002 is already being deployed by execution pipeline .* started by a pipeline or an operator$/,
        ),
      });
    });

    it("a pipeline's request goes before an AMI event's for the same AMI that is still being admitted", async () => {
      startAt('event', '2025-01-01T09:58:00.000Z', ADMISSION_STATES.guard.settle, 'ami-event');
      startAt('me', T0);
      listedAfter(T0);
      await expect(handler(guardOf('me', T0, pipeline))).resolves.toEqual(proceeds(1));
    });

    it('but not before one already deploying it: that one is ahead', async () => {
      startAt('event', '2025-01-01T09:58:00.000Z', 'Find the active and standby groups', 'ami-event');
      startAt('me', T0);
      listedAfter(T0);
      await expect(handler(guardOf('me', T0, pipeline))).rejects.toMatchObject({
        name: 'DeploymentInProgressError',
      });
    });

    it('of two AMI events for the same AMI, the later leaves it to the earlier', async () => {
      startAt('first', '2025-01-01T09:58:00.000Z', ADMISSION_STATES.guard.first, 'ami-event');
      startAt('me', T0, ADMISSION_STATES.guard.first, 'ami-event');
      listedAfter(T0);
      await expect(handler(guardOf('me', T0, event))).resolves.toMatchObject({
        duplicateOf: expect.stringContaining('execution first'),
      });
      await expect(handler(guardOf('first', '2025-01-01T09:58:00.000Z', event))).resolves.toEqual(
        proceeds(1),
      );
    });

    it('with a third execution for another AMI, all three agree: the AMI started first is deployed, by its pipeline', async () => {
      // Event X at 9:58, pipeline Y at 9:59, pipeline X at 10:00, all at their guard's second look.
      const settle = ADMISSION_STATES.guard.again;
      startAt('event-x', '2025-01-01T09:58:00.000Z', settle, 'ami-event');
      h.clock.setSystemTime(Date.parse('2025-01-01T09:59:00.000Z'));
      enter(h.stepFunctions.start({ amiId: OWN_AMI }, 'pipeline-y'), settle);
      startAt('pipeline-x', T0, settle);
      listedAfter(T0);
      await expect(handler(guardOf('event-x', '2025-01-01T09:58:00.000Z', event))).resolves.toMatchObject({
        duplicateOf: expect.stringContaining('execution pipeline-x'),
      });
      await expect(handler(guardOf('pipeline-x', T0, pipeline))).resolves.toEqual(proceeds(2));
      await expect(handler(guardOf('pipeline-y', '2025-01-01T09:59:00.000Z'))).rejects.toThrow(
        /Another deployment is running: execution event-x .* \(and 1 more queued before this one\)/,
      );
    });

    it('ignores an execution ListExecutions still lists as running after it was stopped', async () => {
      const stopped = startAt('stopped', '2025-01-01T09:58:00.000Z', ADMISSION_STATES.guard.settle);
      startAt('me', T0);
      listedAfter(T0);
      stopped.abort();
      // Still listed as RUNNING for a while (ListExecutions is eventually consistent); DescribeExecution says ABORTED.
      await expect(handler(guardOf('me'))).resolves.toEqual(proceeds(1));
    });
  });

  describe('whileDeploying: queue-newest (docs/design.md#newest-wins)', () => {
    // Releases by version tag and by date, disagreeing: 1.10.0 was built before 1.9.0 (a backport).
    const V1_9 = 'ami-0a1b2c3d4e5f60190';
    const V1_10 = 'ami-0a1b2c3d4e5f61100';
    const UNVERSIONED = 'ami-0a1b2c3d4e5f60120';
    beforeEach(() => {
      h.dispose();
      h = createHarness({
        now: Date.parse('2025-01-01T08:00:00.000Z'),
        customize: (environment) => {
          const release = (id: string, version: string | undefined, creationDate: string) => ({
            id,
            name: `webapp-${id}`,
            state: 'available' as const,
            tags: { Application: 'webapp', ...(version ? { Version: version } : {}) },
            creationDate,
          });
          environment.amis.push(
            release(V1_9, '1.9.0', '2025-04-01T00:00:00.000Z'),
            release(V1_10, '1.10.0', '2025-03-01T00:00:00.000Z'),
            release(UNVERSIONED, undefined, '2025-05-01T00:00:00.000Z'),
          );
        },
      });
    });
    const queued = (name: string, startTime: string, amiId: string, trigger: 'pipeline' | 'ami-event') =>
      handler(guardOf(name, startTime, { amiId, trigger }, 'queue-newest'));
    /** `name` requests `amiId` and stands in the guard's first look, from `startTime`. */
    const requesting = (
      name: string,
      startTime: string,
      amiId: string,
      state: string = ADMISSION_STATES.guard.first,
    ) => {
      h.clock.setSystemTime(Date.parse(startTime));
      const execution = h.stepFunctions.start({ amiId, trigger: 'pipeline' }, name);
      enter(execution, state);
      return execution;
    };

    it('waits behind a deployment under way instead of refusing, naming it', async () => {
      requesting('deploying', '2025-01-01T09:00:00.000Z', V1_9, 'Find the active and standby groups');
      requesting('me', T0, V1_10);
      listedAfter(T0);
      await expect(queued('me', T0, V1_10, 'pipeline')).resolves.toEqual({
        runningExecutions: 1,
        duplicateOf: null,
        supersededBy: null,
        queuedBehind: expect.stringMatching(
          /^ami-0a1b2c3d4e5f61100 waits for execution deploying .*, deploying ami-0a1b2c3d4e5f60190, to end/,
        ),
      });
    });

    it('of two releases waiting, the older is superseded and the newer waits: versions decide when every AMI has one', async () => {
      requesting('deploying', '2025-01-01T09:00:00.000Z', THEIR_AMI, 'Find the active and standby groups');
      // 1.10.0 came first and was built first; 1.9.0 came later: the version, not the date or the arrival, decides.
      requesting('v1-10', '2025-01-01T09:30:00.000Z', V1_10, `${ADMISSION_STATES.guard.waitForTurn}: pause`);
      requesting('v1-9', T0, V1_9);
      listedAfter(T0);
      await expect(queued('v1-9', T0, V1_9, 'ami-event')).resolves.toMatchObject({
        supersededBy: expect.stringMatching(
          /^ami-0a1b2c3d4e5f60190 is superseded by ami-0a1b2c3d4e5f61100, a newer release, waiting to deploy in execution v1-10 /,
        ),
        queuedBehind: null,
      });
      await expect(queued('v1-10', '2025-01-01T09:30:00.000Z', V1_10, 'pipeline')).resolves.toMatchObject({
        supersededBy: null,
        queuedBehind: expect.stringContaining('execution deploying'),
      });
    });

    it('ranks an AMI without the version tag after those with one, but supersedes it only with a release newer by the serving check (by date)', async () => {
      requesting('deploying', '2025-01-01T09:00:00.000Z', THEIR_AMI, 'Find the active and standby groups');
      requesting('v1-10', '2025-01-01T09:30:00.000Z', V1_10, ADMISSION_STATES.guard.settle);
      requesting('v1-9', '2025-01-01T09:40:00.000Z', V1_9, ADMISSION_STATES.guard.settle);
      requesting('unversioned', T0, UNVERSIONED);
      listedAfter(T0);
      const answers = await Promise.all([
        queued('v1-10', '2025-01-01T09:30:00.000Z', V1_10, 'pipeline'),
        queued('v1-9', '2025-01-01T09:40:00.000Z', V1_9, 'pipeline'),
        queued('unversioned', T0, UNVERSIONED, 'pipeline'),
      ]);
      expect(
        answers.map((answer) => (answer.supersededBy ? 'superseded' : answer.queuedBehind ? 'queued' : 'go')),
      ).toEqual(['queued', 'superseded', 'queued']);
    });

    it('orders two releases the same way whatever else waits (guards reading moments apart agree)', async () => {
      requesting('deploying', '2025-01-01T09:00:00.000Z', THEIR_AMI, 'Find the active and standby groups');
      requesting('v1-10', '2025-01-01T09:30:00.000Z', V1_10, ADMISSION_STATES.guard.settle);
      const unversioned = requesting(
        'unversioned',
        '2025-01-01T09:40:00.000Z',
        UNVERSIONED,
        ADMISSION_STATES.guard.settle,
      );
      requesting('v1-9', T0, V1_9);
      listedAfter(T0);
      const withThird = await queued('v1-9', T0, V1_9, 'pipeline');
      unversioned.abort();
      listedAfter(T0);
      const withoutThird = await queued('v1-9', T0, V1_9, 'pipeline');
      expect(withThird.supersededBy).toContain('ami-0a1b2c3d4e5f61100');
      expect(withoutThird.supersededBy).toContain('ami-0a1b2c3d4e5f61100');
    });

    it('sees a deployment whose last state is buried under hours of retries (AWS writes no state event for a retry)', async () => {
      const deploying = requesting('deploying', '2025-01-01T09:00:00.000Z', V1_9, 'Put old fleet in standby');
      // 120 NotReady retries (the policy's longest): three events each, after the state was entered.
      for (let attempt = 0; attempt < 120; attempt++) {
        for (const type of [
          'LambdaFunctionFailed',
          'LambdaFunctionScheduled',
          'LambdaFunctionStarted',
        ] as const) {
          deploying.history.push({ id: deploying.history.length + 1, timestamp: new Date(), type });
        }
      }
      requesting('me', T0, V1_10);
      listedAfter(T0);
      await expect(queued('me', T0, V1_10, 'pipeline')).resolves.toMatchObject({
        queuedBehind: expect.stringContaining('execution deploying'),
      });
      await expect(handler(guardOf('me', T0, { amiId: V1_10, trigger: 'pipeline' }))).rejects.toMatchObject({
        name: 'DeploymentInProgressError',
      });
    });

    it('counts as under way one whose last state cannot be found in the history it reads', async () => {
      const deploying = requesting('deploying', '2025-01-01T09:00:00.000Z', V1_9, 'Put old fleet in standby');
      for (let event = 0; event < 2_100; event++) {
        deploying.history.push({
          id: deploying.history.length + 1,
          timestamp: new Date(),
          type: 'TaskFailed',
        });
      }
      requesting('me', T0, V1_10);
      listedAfter(T0);
      await expect(queued('me', T0, V1_10, 'pipeline')).resolves.toMatchObject({
        queuedBehind: expect.any(String),
      });
    });

    it("reads the AMI of an EC2 Image Builder request, whose input names none, from its state's input", async () => {
      h.clock.setSystemTime(Date.parse('2025-01-01T09:00:00.000Z'));
      const image = h.stepFunctions.start(
        {
          imageBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:123456789012:image/webapp/1.9.0/1',
          trigger: 'image-builder',
        },
        'image',
      );
      image.history.push({
        id: image.history.length + 1,
        timestamp: new Date(),
        type: 'TaskStateEntered',
        stateEnteredEventDetails: {
          name: 'Find the active and standby groups',
          input: JSON.stringify({ amiId: V1_9 }),
        },
      });
      requesting('me', T0, V1_9);
      listedAfter(T0);
      // The AMI is the one it deploys: an AMI event for it is a duplicate.
      await expect(queued('me', T0, V1_9, 'ami-event')).resolves.toMatchObject({
        duplicateOf: expect.stringContaining('started by its EC2 Image Builder image'),
      });
    });

    it('with no deployment running, all agree that the newest release goes and the others are superseded', async () => {
      requesting('v1-10', '2025-01-01T09:30:00.000Z', V1_10, `${ADMISSION_STATES.guard.waitForTurn}: check`);
      requesting('v1-9', T0, V1_9, ADMISSION_STATES.guard.again);
      listedAfter(T0);
      await expect(queued('v1-10', '2025-01-01T09:30:00.000Z', V1_10, 'pipeline')).resolves.toEqual(
        proceeds(1),
      );
      await expect(queued('v1-9', T0, V1_9, 'pipeline')).resolves.toMatchObject({
        supersededBy: expect.stringContaining('ami-0a1b2c3d4e5f61100, a newer release'),
      });
    });

    it('the same release requested twice: the later request stays, the earlier is superseded', async () => {
      requesting('deploying', '2025-01-01T09:00:00.000Z', THEIR_AMI, 'Find the active and standby groups');
      requesting('earlier', '2025-01-01T09:30:00.000Z', V1_9, ADMISSION_STATES.guard.settle);
      requesting('me', T0, V1_9);
      listedAfter(T0);
      await expect(queued('earlier', '2025-01-01T09:30:00.000Z', V1_9, 'pipeline')).resolves.toMatchObject({
        supersededBy: expect.stringContaining('a later request for ami-0a1b2c3d4e5f60190'),
      });
      await expect(queued('me', T0, V1_9, 'pipeline')).resolves.toMatchObject({
        queuedBehind: expect.any(String),
      });
    });

    it('an AMI event for the AMI being deployed is a duplicate, not queued', async () => {
      requesting('deploying', '2025-01-01T09:00:00.000Z', V1_9, 'Find the active and standby groups');
      requesting('me', T0, V1_9);
      listedAfter(T0);
      await expect(queued('me', T0, V1_9, 'ami-event')).resolves.toMatchObject({
        duplicateOf: expect.stringContaining('execution deploying'),
        queuedBehind: null,
      });
    });

    it('wait-for-turn: not done while the deployment runs, done once it has ended, refused past waits.turn', async () => {
      const deploying = requesting(
        'deploying',
        '2025-01-01T09:00:00.000Z',
        V1_9,
        'Find the active and standby groups',
      );
      requesting('me', T0, V1_10);
      listedAfter(T0);
      const input = {
        ...guardOf('me', T0, { amiId: V1_10, trigger: 'pipeline' }, 'queue-newest'),
        timeoutSeconds: 600,
      };
      const first = await waitForTurn({ ...input, wait: { startedAt: null } });
      expect(first).toMatchObject({ done: false, detail: expect.stringContaining('execution deploying') });
      await expect(
        waitForTurn({ ...input, wait: { startedAt: new Date(Date.now() - 600_000).toISOString() } }),
      ).rejects.toMatchObject({
        name: 'WaitTimeoutError',
        message: expect.stringContaining('waits.turn.timeoutSeconds'),
      });
      deploying.abort();
      await expect(waitForTurn({ ...input, wait: { startedAt: first.startedAt } })).resolves.toMatchObject({
        done: true,
      });
      expect(h.applied.filter((call) => !/:(List|Describe|Get)/.test(call.operation))).toEqual([]);
    });

    it('a denied DescribeImages, needed to order the releases, names the call', async () => {
      requesting('v1-10', '2025-01-01T09:30:00.000Z', V1_10, ADMISSION_STATES.guard.settle);
      requesting('me', T0, V1_9);
      listedAfter(T0);
      await expect(
        denying(['ec2:DescribeImages'], () => queued('me', T0, V1_9, 'pipeline')),
      ).rejects.toMatchObject({
        name: 'AwsRequestError',
      });
    });
  });
});
