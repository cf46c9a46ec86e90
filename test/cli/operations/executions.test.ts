import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { deploy, parseDeployOptions } from '../../../cli/operations/deploy';
import { parseRecoverOptions, recover } from '../../../cli/operations/recover';
import { EXIT_CODES } from '../../../cli/operations/exit-codes';
import { FAILURES } from '../../../cli/operations/outcome';
import { status } from '../../../cli/operations/status';
import { MAX_FAILED_POLLS_IN_A_ROW, parseWatchOptions, watch } from '../../../cli/operations/watch';
import { VirtualClock } from '../../../simulator/engine/clock';
import type { StepHandlerFunction } from '../../../simulator/engine/handlers';
import { LocalStepFunctions } from '../../../simulator/engine/step-functions-service';
import type { SynthesizedWorkflow } from '../../../simulator/engine/synthesize';
import { FAILURE_ERRORS } from '../../../lambdas/shared/contract';
import type { StepName } from '../../../state-machine/step-registry';
import { unrestrictedPrincipals } from '../../support/principals';
import { recordingIo } from '../../support/recording-io';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-blue-green-deployment';
const FUNCTION = (step: string) => `arn:aws:lambda:us-east-1:123456789012:function:${step}`;
const GOOD_AMI = 'ami-0a1b2c3d4e5f60002';
/** The fake validate step rejects it; the fake monitor rolls back on the other. */
const REJECTED_AMI = 'ami-0000000000000dead';
const ROLLED_BACK_AMI = 'ami-00000000000000bad';
const WINDOW = 'Monitor new version during rollback window';

/**
 * A small definition shaped like the real one where the commands look: a Task that can reject, a wait loop
 * of four states (polling.ts), the report's plain result, and Fail states with the real error names.
 */
const workflow: SynthesizedWorkflow = {
  stateMachineArn: STATE_MACHINE,
  notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:topic',
  principals: unrestrictedPrincipals('validate-request', 'monitor-new-version'),
  stepByState: new Map<string, StepName>([
    ['Validate deployment request', 'validate-request'],
    [`${WINDOW}: check`, 'monitor-new-version'],
  ]),
  asl: {
    StartAt: 'Validate deployment request',
    States: {
      'Validate deployment request': {
        Type: 'Task',
        Resource: FUNCTION('validate-request'),
        ResultPath: null,
        Next: WINDOW,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Deployment rejected' }],
      },
      [WINDOW]: { Type: 'Pass', Result: { startedAt: null }, ResultPath: '$.wait', Next: `${WINDOW}: check` },
      [`${WINDOW}: check`]: {
        Type: 'Task',
        Resource: FUNCTION('monitor-new-version'),
        ResultPath: '$.wait',
        Next: `${WINDOW}: done?`,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Deployment rolled back' }],
      },
      [`${WINDOW}: done?`]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.wait.done', BooleanEquals: false, Next: `${WINDOW}: pause` }],
        Default: 'Deployment succeeded',
      },
      [`${WINDOW}: pause`]: { Type: 'Wait', Seconds: 30, Next: `${WINDOW}: check` },
      'Deployment succeeded': {
        Type: 'Pass',
        Result: {
          outcome: 'succeeded',
          message: `webapp: ${GOOD_AMI} now serves all traffic from webapp-green.`,
        },
        End: true,
      },
      'Deployment rejected': {
        Type: 'Fail',
        Error: FAILURE_ERRORS.rejected,
        CausePath: '$.failure.Cause',
      },
      'Deployment rolled back': {
        Type: 'Fail',
        Error: FAILURE_ERRORS.rolledBack,
        Cause: 'webapp-target-5xx is ALARM 3 minutes into the rollback window: webapp-blue serves again.',
      },
    },
  },
};

class InvalidInputError extends Error {
  name = 'InvalidInputError';
}

const handlers = {
  'validate-request': async (event: unknown) => {
    if ((event as { amiId: string }).amiId === REJECTED_AMI) {
      throw new InvalidInputError(`AMI ${REJECTED_AMI} does not exist`);
    }
    return {};
  },
  // A two-minute window: done once two minutes have passed since the first check.
  'monitor-new-version': async (event: unknown) => {
    const { amiId, wait } = event as { amiId: string; wait: { startedAt: string | null } };
    if (amiId === ROLLED_BACK_AMI) throw new Error('alarm');
    const startedAt = wait.startedAt ?? new Date().toISOString();
    const elapsedSeconds = (Date.now() - Date.parse(startedAt)) / 1000;
    return { startedAt, done: elapsedSeconds >= 120, elapsedSeconds, detail: `${elapsedSeconds} of 120 s` };
  },
} as Partial<Record<StepName, StepHandlerFunction>> as Record<StepName, StepHandlerFunction>;

let clock: VirtualClock;
let service: LocalStepFunctions;

/** Runs virtual time until the promise settles (a command that polls, an execution that waits). */
async function untilSettled<T>(promise: Promise<T>, maxSeconds = 3600): Promise<T> {
  let settled = false;
  // Observes the promise without leaving a rejection unhandled while time runs.
  const settle = () => (settled = true);
  promise.then(settle, settle);
  for (let second = 0; !settled && second < maxSeconds; second++) await clock.advance(1000);
  return promise;
}

async function startDeployment(amiId: string): Promise<string> {
  const { io, out } = recordingIo();
  await deploy(parseDeployOptions(['--ami', amiId, '--state-machine-arn', STATE_MACHINE]), io);
  await clock.settle();
  return out[0];
}

beforeEach(() => {
  clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  service = new LocalStepFunctions(workflow, handlers, { elapsedSeconds: () => clock.elapsedSeconds() });
  service.install();
});

afterEach(() => {
  service.uninstall();
  clock.uninstall();
});

describe('deploy', () => {
  it('starts an execution with the AMI and the window override, and prints only its ARN on standard output', async () => {
    const { io, out, err } = recordingIo();
    const options = parseDeployOptions([
      '--ami',
      GOOD_AMI,
      '--window-minutes',
      '30',
      '--name',
      'release-42',
      '--config',
      'config/example.json',
      '--region',
      'us-east-1',
      '--account-id',
      '123456789012',
    ]);
    expect(options.stateMachineArn).toBe(STATE_MACHINE);

    expect(await deploy(options, io)).toBe(0);

    expect(service.executions).toHaveLength(1);
    expect(JSON.parse(service.executions[0].input)).toEqual({
      amiId: GOOD_AMI,
      overrides: { rollbackWindowMinutes: 30 },
    });
    expect(out).toEqual([`${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:release-42`]);
    expect(err.join('\n')).toContain(`npm run ops -- watch --execution ${out[0]}`);
  });

  it('sends only the AMI when no window is given', async () => {
    await startDeployment(GOOD_AMI);
    expect(JSON.parse(service.executions[0].input)).toEqual({ amiId: GOOD_AMI });
  });

  it('--wait follows the deployment on standard error and exits 0 only when it succeeded', async () => {
    const good = recordingIo();
    const succeeded = deploy(
      parseDeployOptions([
        '--ami',
        GOOD_AMI,
        '--state-machine-arn',
        STATE_MACHINE,
        '--wait',
        '--interval',
        '5',
      ]),
      good.io,
    );
    expect(await untilSettled(succeeded)).toBe(0);
    expect(good.out).toHaveLength(1);
    expect(good.err.join('\n')).toMatch(/Outcome {4}succeeded/);

    const bad = recordingIo();
    const rolledBack = deploy(
      parseDeployOptions(['--ami', ROLLED_BACK_AMI, '--state-machine-arn', STATE_MACHINE, '--wait']),
      bad.io,
    );
    expect(await untilSettled(rolledBack)).toBe(EXIT_CODES['rolled-back']);
    expect(bad.err.join('\n')).toMatch(/Outcome {4}rolled back/);
  });
});

describe('status', () => {
  it('says a running deployment is running, with its AMI and its current step (the wait, not its inner states)', async () => {
    const executionArn = await startDeployment(GOOD_AMI);
    await clock.advance(45_000);
    const { io, out } = recordingIo();

    expect(await status({ execution: { executionArn } }, io)).toBe(0);

    expect(out).toEqual([
      'Deployment deployment-0001',
      `Execution  ${executionArn}`,
      `AMI        ${GOOD_AMI}`,
      'Status     RUNNING for 00:00:45, since 2026-01-05T09:00:00.000Z',
      `Step       ${WINDOW}`,
      // The wait's last check (its output, in the execution history), 30 s before.
      'Progress   30 of 120 s',
    ]);
  });

  it('finds the latest execution of the state machine and says how a finished one ended, and why', async () => {
    await untilSettled(service.start({ amiId: GOOD_AMI }).finished);
    await clock.advance(60_000);
    const rejected = service.start({ amiId: REJECTED_AMI });
    await untilSettled(rejected.finished);
    // ListExecutions is eventually consistent (modelled): a new execution is listed a few seconds on.
    await clock.advance(30_000);
    const { io, out } = recordingIo();

    expect(await status({ execution: { latestOf: STATE_MACHINE } }, io)).toBe(0);

    expect(out).toEqual([
      'Deployment deployment-0002',
      `Execution  ${rejected.arn}`,
      `AMI        ${REJECTED_AMI}`,
      'Status     FAILED after 00:00:00, at 2026-01-05T09:03:00.000Z',
      'Outcome    rejected: nothing changed',
      // The Lambda error's JSON cause, read as its message.
      `Reason     AMI ${REJECTED_AMI} does not exist`,
      'Last step  Deployment rejected',
    ]);
  });

  it('refuses "latest" when the state machine has no execution yet (exit 1 through the command)', async () => {
    const { io } = recordingIo();
    await expect(status({ execution: { latestOf: STATE_MACHINE } }, io)).rejects.toThrow(
      `No deployment has run on ${STATE_MACHINE} yet.`,
    );
  });
});

describe('watch', () => {
  it('prints each step once as it is entered, then the outcome, and exits 0 on SUCCEEDED', async () => {
    const executionArn = await startDeployment(GOOD_AMI);
    const { io, out } = recordingIo();

    expect(await untilSettled(watch(parseWatchOptions(['--execution', executionArn]), io))).toBe(0);

    expect(out).toEqual([
      `Deployment deployment-0001 of ${GOOD_AMI}: ${executionArn}`,
      '  +00:00:00  Validate deployment request',
      `  +00:00:00  ${WINDOW}`,
      // Never silent for a minute: the wait's last check, and what is left of the window.
      `  +00:01:00  still: ${WINDOW} (60 of 120 s)`,
      '  +00:02:00  Deployment succeeded',
      'Status     SUCCEEDED after 00:02:00, at 2026-01-05T09:02:00.000Z',
      'Outcome    succeeded',
      `Result     webapp: ${GOOD_AMI} now serves all traffic from webapp-green.`,
    ]);
  });

  it('exits with the rolled-back code when the deployment rolled back, with the reason', async () => {
    const executionArn = await startDeployment(ROLLED_BACK_AMI);
    const { io, out } = recordingIo();

    expect(await untilSettled(watch({ execution: { executionArn }, intervalSeconds: 10 }, io))).toBe(
      EXIT_CODES['rolled-back'],
    );

    expect(out.slice(-2)).toEqual([
      'Outcome    rolled back: the old version serves again',
      'Reason     webapp-target-5xx is ALARM 3 minutes into the rollback window: webapp-blue serves again.',
    ]);
  });

  it('exits with the stopped code for an execution stopped with StopExecution, saying no clean-up ran', async () => {
    const execution = service.start({ amiId: GOOD_AMI });
    await clock.advance(30_000);
    execution.abort();
    const { io, out } = recordingIo();

    expect(await watch({ execution: { executionArn: execution.arn }, intervalSeconds: 10 }, io)).toBe(
      EXIT_CODES.stopped,
    );

    expect(out.join('\n')).toContain('Outcome    stopped (StopExecution)');
    expect(out.join('\n')).toContain('no clean-up ran');
  });
});

describe('the outcome names', () => {
  it('are the state machine’s Fail errors', () => {
    expect(Object.keys(FAILURES).sort()).toEqual(Object.values(FAILURE_ERRORS).sort());
  });
});

describe('watch against a flaky Step Functions endpoint (scripted responses)', () => {
  const EXECUTION = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:flaky`;
  const throttled = () =>
    Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} });

  let sfn: ReturnType<typeof mockClient>;
  const running = { name: 'flaky', status: 'RUNNING', startDate: new Date(), input: '{}' } as const;

  beforeEach(() => {
    service.uninstall();
    sfn = mockClient(SFNClient);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  });
  afterEach(() => sfn.restore());

  it('keeps polling through a few throttled calls', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejectsOnce(throttled())
      .resolvesOnce(running)
      .rejectsOnce(throttled())
      .resolves({ ...running, status: 'SUCCEEDED', stopDate: new Date(), output: '{"outcome":"succeeded"}' });
    const { io, err } = recordingIo();

    expect(
      await untilSettled(watch({ execution: { executionArn: EXECUTION }, intervalSeconds: 1 }, io)),
    ).toBe(0);

    expect(err.filter((line) => line.startsWith('note: could not read the execution'))).toHaveLength(2);
  });

  it('gives up after too many failed polls in a row', async () => {
    sfn.on(DescribeExecutionCommand).rejects(throttled());
    const outcome = untilSettled(
      watch({ execution: { executionArn: EXECUTION }, intervalSeconds: 1 }, recordingIo().io),
    ).then(
      () => 'resolved',
      (error: Error) => error.name,
    );

    expect(await outcome).toBe('ThrottlingException');
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(MAX_FAILED_POLLS_IN_A_ROW);
  });

  it("status shows the rollback window's progress from the last check of the wait (history read newest first)", async () => {
    const at = (seconds: number) => new Date(Date.now() + seconds * 1000);
    sfn.on(DescribeExecutionCommand).resolves({ ...running, input: `{"amiId":"${GOOD_AMI}"}` });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        {
          id: 9,
          type: 'WaitStateEntered',
          timestamp: at(90),
          stateEnteredEventDetails: { name: `${WINDOW}: pause` },
        },
        {
          id: 8,
          type: 'ChoiceStateExited',
          timestamp: at(90),
          stateExitedEventDetails: { name: `${WINDOW}: done?` },
        },
        {
          id: 7,
          type: 'TaskStateExited',
          timestamp: at(90),
          stateExitedEventDetails: {
            name: `${WINDOW}: check`,
            output: JSON.stringify({
              wait: { done: false, detail: '12 of 60 minutes: 3 alarms OK, 3 of 3 targets healthy' },
            }),
          },
        },
      ],
      nextToken: 'older',
    });
    const { io, out } = recordingIo();

    expect(await status({ execution: { executionArn: EXECUTION } }, io)).toBe(0);

    expect(out.slice(-2)).toEqual([
      `Step       ${WINDOW}`,
      'Progress   12 of 60 minutes: 3 alarms OK, 3 of 3 targets healthy',
    ]);
    // Found on the newest page: the older history is not read.
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(1);
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0].args[0].input).toMatchObject({
      reverseOrder: true,
    });
  });
});

describe('recover (docs/recovery.md)', () => {
  it('starts a recovery of the latest execution once it has ended, and prints its ARN', async () => {
    const failed = await startDeployment(ROLLED_BACK_AMI);
    await untilSettled(service.executions[0].finished);
    // ListExecutions is eventually consistent (modelled): a new execution is listed a few seconds on.
    await clock.advance(30_000);
    const { io, out, err } = recordingIo();

    expect(await recover(parseRecoverOptions(['--state-machine-arn', STATE_MACHINE]), io)).toBe(0);

    expect(service.executions).toHaveLength(2);
    expect(JSON.parse(service.executions[1].input)).toEqual({ recoverFrom: failed, trigger: 'recovery' });
    expect(out).toEqual([service.executions[1].arn]);
    expect(err[0]).toMatch(/^Started the recovery of .* \(FAILED\)\. Follow it with:$/);
  });

  it('refuses an execution that still runs (it owns the account), starting nothing', async () => {
    const running = await startDeployment(GOOD_AMI);

    await expect(recover(parseRecoverOptions(['--execution', running]), recordingIo().io)).rejects.toThrow(
      /is still running: it owns the account\. Nothing was started/,
    );
    expect(service.executions).toHaveLength(1);
  });
});
