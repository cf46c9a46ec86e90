import {
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type StopExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { SimulatedAccount, defaultEnvironment } from '../../../simulator/account';
import type { BusEvent, EventRule } from '../../../simulator/account/event-rules';
import { VirtualClock } from '../../../simulator/engine/clock';
import type { StepHandlerFunction } from '../../../simulator/engine/handlers';
import { LocalStepFunctions, type ServiceOptions } from '../../../simulator/engine/step-functions-service';
import type { SynthesizedWorkflow } from '../../../simulator/engine/synthesize';
import type { StepName } from '../../../state-machine/step-registry';
import { unrestrictedPrincipals, startingExecutionsOf } from '../../support/principals';

/**
 * Each status change of an execution reaches the account's default bus as the "Step Functions Execution
 * Status Change" event the developer guide documents (eventbridge-integration.html): RUNNING as it starts,
 * then one event for how it ended; the bus's rules see them like any AWS service's events.
 */

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-deploy';
const EXECUTION = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:webapp-deploy:${name}`;
const START = Date.UTC(2026, 0, 5, 9, 0, 0);

/** One Task, a ten-minute Wait, and a Fail reached when the task throws; the whole run may last an hour. */
const workflow: SynthesizedWorkflow = {
  stateMachineArn: STATE_MACHINE,
  notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:topic',
  principals: unrestrictedPrincipals('validate-request'),
  stepByState: new Map<string, StepName>([['Validate', 'validate-request']]),
  asl: {
    StartAt: 'Validate',
    TimeoutSeconds: 3600,
    States: {
      Validate: {
        Type: 'Task',
        Resource: 'arn:aws:lambda:us-east-1:123456789012:function:validate-request',
        Next: 'Pause',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Rejected' }],
      },
      Pause: { Type: 'Wait', SecondsPath: '$.pause', Next: 'Done' },
      Done: { Type: 'Succeed' },
      Rejected: { Type: 'Fail', Error: 'DeploymentRejected', CausePath: '$.failure.Cause' },
    },
  },
};

const validate: StepHandlerFunction = async (event) => {
  if ((event as { amiId?: string }).amiId === 'bad') throw new Error('amiId: malformed');
  // An input without a pause (a recovery's) waits ten minutes.
  return { pause: 600, ...(event as object) };
};

const mayStart = startingExecutionsOf(STATE_MACHINE, 'EventsRole');

/** The recovery rule the construct is to ship, built by hand here (the synthesized one may differ). */
const recovery = (pattern: Record<string, unknown>): EventRule => ({
  name: 'RecoverStoppedDeployment',
  state: 'ENABLED',
  eventPattern: pattern,
  targets: [
    {
      id: 'Target0',
      arn: STATE_MACHINE,
      role: mayStart,
      inputTransformer: {
        inputPathsMap: { execution: '$.detail.executionArn' },
        inputTemplate: '{"recoverFrom": <execution>, "trigger": "recovery"}',
      },
    },
  ],
});
const ENDED_BADLY = {
  source: ['aws.states'],
  'detail-type': ['Step Functions Execution Status Change'],
  detail: { status: ['ABORTED', 'FAILED', 'TIMED_OUT'] },
};

let clock: VirtualClock;
let account: SimulatedAccount;
let service: LocalStepFunctions;
const client = new SFNClient({ region: 'us-east-1' });

function setUp(options: Partial<ServiceOptions> = {}): void {
  service?.uninstall();
  service = new LocalStepFunctions(
    workflow,
    { 'validate-request': validate } as Record<StepName, StepHandlerFunction>,
    { elapsedSeconds: () => clock.elapsedSeconds(), ...options },
  );
  service.install(account);
}

beforeEach(() => {
  clock = new VirtualClock(START);
  account = new SimulatedAccount(defaultEnvironment(), { seed: 1 });
  setUp();
  account.install();
});

afterEach(() => {
  service.uninstall();
  account.uninstall();
  clock.uninstall();
});

const statusChanges = () => account.serviceEvents.filter((event) => event.source === 'aws.states');

async function run(name: string, input: object, stop?: Omit<StopExecutionCommandInput, 'executionArn'>) {
  const { executionArn } = await client.send(
    new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name, input: JSON.stringify(input) }),
  );
  await clock.advance(60_000);
  if (stop) await client.send(new StopExecutionCommand({ executionArn, ...stop }));
  await clock.advance(3_600_000);
  await Promise.all(service.executions.map((execution) => execution.finished));
  return executionArn;
}

/** The event as the guide's examples show it: every field, at `atSeconds` into the run. */
function expected(name: string, atSeconds: number, detail: Record<string, unknown>): BusEvent {
  return {
    version: '0',
    id: expect.any(String),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: new Date(START + atSeconds * 1000).toISOString().replace('.000Z', 'Z'),
    region: 'us-east-1',
    resources: [EXECUTION(name)],
    detail: {
      executionArn: EXECUTION(name),
      stateMachineArn: STATE_MACHINE,
      name,
      startDate: START,
      inputDetails: { included: true },
      ...detail,
    },
  };
}

describe('"Step Functions Execution Status Change" events on the default bus', () => {
  it('an execution that succeeds: RUNNING as it starts, then SUCCEEDED with its output', async () => {
    await run('ok', { amiId: 'ami-1' });
    const input = '{"amiId":"ami-1"}';
    expect(statusChanges()).toEqual([
      expected('ok', 0, { status: 'RUNNING', stopDate: null, input, output: null, outputDetails: null }),
      expected('ok', 600, {
        status: 'SUCCEEDED',
        stopDate: START + 600_000,
        input,
        output: '{"pause":600,"amiId":"ami-1"}',
        outputDetails: { included: true },
      }),
    ]);
  });

  it('an execution that fails: FAILED, no output, with the error and cause DescribeExecution gives', async () => {
    await run('bad', { amiId: 'bad' });
    const [started, failed, ...more] = statusChanges();
    expect(more).toEqual([]);
    expect(started.detail.status).toBe('RUNNING');
    expect(failed).toEqual(
      expected('bad', 0, {
        status: 'FAILED',
        stopDate: START,
        input: '{"amiId":"bad"}',
        output: null,
        outputDetails: null,
        error: 'DeploymentRejected',
        cause: expect.stringContaining('amiId: malformed'),
      }),
    );
  });

  it('an execution stopped with StopExecution: ABORTED, with the error and cause the stop gave', async () => {
    await run('stopped', {}, { error: 'OperatorStop', cause: 'wrong AMI' });
    await run('stopped-plainly', {}, {});
    expect(statusChanges().map((event) => [event.detail.name, event.detail.status])).toEqual([
      ['stopped', 'RUNNING'],
      ['stopped', 'ABORTED'],
      ['stopped-plainly', 'RUNNING'],
      ['stopped-plainly', 'ABORTED'],
    ]);
    const at = 60;
    expect(statusChanges()[1]).toEqual(
      expected('stopped', at, {
        status: 'ABORTED',
        stopDate: START + at * 1000,
        input: '{}',
        output: null,
        outputDetails: null,
        error: 'OperatorStop',
        cause: 'wrong AMI',
      }),
    );
    // Stopped with neither: the event carries neither (DescribeExecution has none to give).
    expect(statusChanges()[3].detail).not.toHaveProperty('error');
    expect(statusChanges()[3].detail).not.toHaveProperty('cause');
  });

  it.each(['Validate', 'Pause'])(
    'an execution the engine stops as it enters %s (--stop-at): RUNNING, then one ABORTED event',
    async (state) => {
      setUp({ stopAtState: state });
      await run('stop-at', {});
      expect(statusChanges().map((event) => event.detail.status)).toEqual(['RUNNING', 'ABORTED']);
      // Stopped in its first state, while it was being started: the start is still told as it was.
      expect(statusChanges()[0].detail).toMatchObject({ stopDate: null, output: null });
      expect(statusChanges()[1].detail).toMatchObject({ stopDate: START, output: null });
      expect(statusChanges()[1].detail).not.toHaveProperty('error');
    },
  );

  it("an execution past its definition's TimeoutSeconds: TIMED_OUT", async () => {
    await run('slow', { pause: 7200 });
    expect(service.executions[0].status).toBe('TIMED_OUT');
    expect(statusChanges().map((event) => event.detail.status)).toEqual(['RUNNING', 'TIMED_OUT']);
    expect(statusChanges()[1].detail).toMatchObject({ stopDate: START + 3_600_000, output: null });
  });
});

describe('a rule on these events that targets the state machine', () => {
  beforeEach(() =>
    account.setEventRules([recovery(ENDED_BADLY)], ({ input }) => {
      service.start(JSON.parse(input));
    }),
  );

  it('starts one execution for each that ended badly, as its role, its input naming that execution', async () => {
    await run('ok', { amiId: 'ami-1' });
    await run('bad', { amiId: 'bad' });
    await run('stopped', {}, {});
    const recoveries = service.executions.filter((execution) => execution.input.includes('recoverFrom'));
    expect(recoveries.map((execution) => JSON.parse(execution.input))).toEqual([
      { recoverFrom: EXECUTION('bad'), trigger: 'recovery' },
      { recoverFrom: EXECUTION('stopped'), trigger: 'recovery' },
    ]);
    // The recoveries succeeded: their own events match nothing, so nothing more started.
    expect(recoveries.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(service.executions).toHaveLength(5);
    expect(account.eventDeliveries).toEqual([
      expect.objectContaining({ rule: 'RecoverStoppedDeployment', delivered: true }),
      expect.objectContaining({ rule: 'RecoverStoppedDeployment', delivered: true }),
    ]);
  });

  it('a rule starting the state machine on its own RUNNING events is stopped, not left to loop', () => {
    account.setEventRules([recovery({ source: ['aws.states'] })], ({ input }) => {
      service.start(JSON.parse(input));
    });
    expect(() => service.start({})).toThrow(/does a rule start .* on its own events\?/);
  });
});
