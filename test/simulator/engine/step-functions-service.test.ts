import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { VirtualClock } from '../../../simulator/engine/clock';
import type { StepHandlerFunction } from '../../../simulator/engine/handlers';
import { LISTING_LAG_MS } from '../../../simulator/account/step-functions';
import { LocalStepFunctions } from '../../../simulator/engine/step-functions-service';
import type { SynthesizedWorkflow } from '../../../simulator/engine/synthesize';
import type { StepName } from '../../../state-machine/step-registry';
import { unrestrictedPrincipals } from '../../support/principals';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:test';
const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:validate-request';

/** A small definition: one Task, a ten-minute Wait, and a Fail reached when the task throws. */
const workflow: SynthesizedWorkflow = {
  stateMachineArn: STATE_MACHINE,
  notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:topic',
  principals: unrestrictedPrincipals('validate-request'),
  stepByState: new Map<string, StepName>([['Validate', 'validate-request']]),
  asl: {
    StartAt: 'Validate',
    States: {
      Validate: {
        Type: 'Task',
        Resource: FUNCTION,
        Next: 'Pause',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Rejected' }],
      },
      Pause: { Type: 'Wait', Seconds: 600, Next: 'Done' },
      Done: { Type: 'Succeed' },
      Rejected: { Type: 'Fail', Error: 'DeploymentRejected', CausePath: '$.failure.Cause' },
    },
  },
};

class NamedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

const validate: StepHandlerFunction = async (event) => {
  if ((event as { amiId?: string }).amiId === 'bad') throw new NamedError('amiId: malformed');
  return event;
};

describe('the local Step Functions service', () => {
  let clock: VirtualClock;
  let service: LocalStepFunctions;
  const client = new SFNClient({ region: 'us-east-1' });

  beforeEach(() => {
    clock = new VirtualClock(Date.UTC(2026, 0, 1));
    service = new LocalStepFunctions(
      workflow,
      { 'validate-request': validate } as Record<StepName, StepHandlerFunction>,
      {
        elapsedSeconds: () => clock.elapsedSeconds(),
      },
    );
    service.install();
  });

  afterEach(() => {
    service.uninstall();
    clock.uninstall();
  });

  it('starts, lists, describes and finishes executions through the SDK, in virtual time', async () => {
    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn: STATE_MACHINE,
        name: 'first',
        input: '{"amiId":"ami-1"}',
      }),
    );
    await clock.settle();
    const list = async () =>
      (
        await client.send(
          new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE, statusFilter: 'RUNNING' }),
        )
      ).executions ?? [];
    // Eventually consistent, like the service: a new execution is listed a few seconds after it starts.
    expect(await list()).toEqual([]);
    await clock.advance(LISTING_LAG_MS);
    expect((await list()).map((execution) => execution.name)).toEqual(['first']);
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    await clock.advance(600_000 - LISTING_LAG_MS);
    await service.executions[0].finished;
    const finished = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(finished).toMatchObject({ status: 'SUCCEEDED', output: '{"amiId":"ami-1"}' });
    expect(service.executions[0].timeline.map((entry) => [entry.state, entry.at])).toEqual([
      ['Validate', 0],
      ['Pause', 0],
      ['Done', 600],
    ]);
  });

  it('reports a Lambda error as Step Functions does: the error name, and a JSON cause with the message', async () => {
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, input: '{"amiId":"bad"}' }),
    );
    await clock.settle();
    await service.executions[0].finished;
    const failed = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('DeploymentRejected');
    expect(JSON.parse(failed.cause ?? '{}')).toMatchObject({
      errorType: 'InvalidInputError',
      errorMessage: 'amiId: malformed',
    });
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(history.events?.some((event) => event.type === 'ExecutionFailed')).toBe(true);
  });

  it('stops an execution without running anything after it (StopExecution)', async () => {
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, input: '{}' }),
    );
    await clock.settle();
    await client.send(new StopExecutionCommand({ executionArn }));
    await clock.advance(600_000);
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('ABORTED');
    expect(service.executions[0].timeline.map((entry) => entry.state)).not.toContain('Done');
  });

  it('StartExecution with a running name: the same input returns the original, another input is refused', async () => {
    const first = await client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: 'x', input: '{"a":1}' }),
    );
    const again = await client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: 'x', input: '{"a":1}' }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: 'x', input: '{"a":2}' })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await expect(
      client.send(
        new ListExecutionsCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:other',
        }),
      ),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});

/**
 * StopExecution at the moment a state is entered, for every state type: a Task, a Choice, a Parallel, a
 * state inside a Parallel branch, a Pass, a Wait. Nothing after the state runs, the state is the last
 * entered and the one the execution reports being stopped in.
 */
describe('stopping an execution as it enters a state (the stopAtState option)', () => {
  const task = (name: string, next: Record<string, unknown>) => ({
    Type: 'Task',
    Resource: FUNCTION,
    Parameters: { task: name },
    ResultPath: null,
    ...next,
  });
  const path = [
    'First task',
    'Choose',
    'Phase',
    'Branch pass',
    'Branch task',
    'Pause',
    'Prepare last',
    'Last task',
    'Done',
  ];
  const tasks = ['First task', 'Branch task', 'Last task'];
  const stoppable: SynthesizedWorkflow = {
    ...workflow,
    stepByState: new Map(tasks.map((name) => [name, 'validate-request'])),
    asl: {
      StartAt: 'First task',
      States: {
        'First task': task('First task', { Next: 'Choose' }),
        Choose: {
          Type: 'Choice',
          Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Phase' }],
          Default: 'Done',
        },
        Phase: {
          Type: 'Parallel',
          ResultPath: null,
          Next: 'Pause',
          Branches: [
            {
              StartAt: 'Branch pass',
              States: {
                'Branch pass': { Type: 'Pass', Next: 'Branch task' },
                'Branch task': task('Branch task', { End: true }),
              },
            },
          ],
        },
        Pause: { Type: 'Wait', Seconds: 10, Next: 'Prepare last' },
        'Prepare last': { Type: 'Pass', Result: 'prepared', ResultPath: '$.prepared', Next: 'Last task' },
        'Last task': task('Last task', { Next: 'Done' }),
        Done: { Type: 'Succeed' },
      },
    },
  };
  let clock: VirtualClock;
  let ran: string[];
  const recording: StepHandlerFunction = async (event) => {
    ran.push((event as { task: string }).task);
    return event;
  };
  const serviceStoppingAt = (stopAtState?: string) =>
    new LocalStepFunctions(
      stoppable,
      { 'validate-request': recording } as Record<StepName, StepHandlerFunction>,
      { stopAtState, elapsedSeconds: () => clock.elapsedSeconds() },
    );

  beforeEach(() => {
    clock = new VirtualClock(Date.UTC(2026, 0, 1));
    ran = [];
  });
  afterEach(() => clock.uninstall());

  it('without a stop, runs every state of the path', async () => {
    const execution = serviceStoppingAt().start({ go: true });
    await clock.advance(60_000);
    await execution.finished;
    expect([execution.status, execution.error, execution.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
    expect(execution.timeline.map((entry) => entry.state)).toEqual(path);
    expect(ran).toEqual(tasks);
  });

  it.each([
    ['a Task', 'First task'],
    ['a Choice', 'Choose'],
    ['a Parallel', 'Phase'],
    ['a Pass in a Parallel branch', 'Branch pass'],
    ['a Task in a Parallel branch', 'Branch task'],
    ['a Wait', 'Pause'],
    ['a Pass', 'Prepare last'],
    ['the last Task', 'Last task'],
  ])('stopped as it enters %s ("%s"): nothing after it runs', async (_type, state) => {
    const execution = serviceStoppingAt(state).start({ go: true });
    await clock.advance(60_000);
    await execution.finished;

    const before = path.slice(0, path.indexOf(state));
    expect(execution.status).toBe('ABORTED');
    expect(execution.currentState).toBe(state);
    expect(execution.timeline.map((entry) => entry.state)).toEqual([...before, state]);
    // Every Task entered before the stop ran, once; none at or after it.
    expect(ran).toEqual(tasks.filter((name) => before.includes(name)));
    // The history has the one end: stopped.
    const ends = execution.history.filter((event) => event.type?.startsWith('Execution'));
    expect(ends.map((event) => event.type)).toEqual(['ExecutionStarted', 'ExecutionAborted']);
  });

  it('cannot stop in a Succeed or Fail state (it is left as it is entered), nor in no state', () => {
    expect(() => serviceStoppingAt('Done')).toThrow(/a Succeed state is left as it is entered/);
    expect(() => serviceStoppingAt('Nowhere')).toThrow(/no state of that name/);
  });

  it('StopExecution while a Task runs: it runs to its end, nothing starts after it, and it is in the timeline', async () => {
    let release: () => void = () => undefined;
    const slow: StepHandlerFunction = async (event) => {
      ran.push((event as { task: string }).task);
      await new Promise<void>((resolve) => (release = resolve));
      return event;
    };
    const stoppedMidTask = new LocalStepFunctions(
      stoppable,
      { 'validate-request': slow } as Record<StepName, StepHandlerFunction>,
      { elapsedSeconds: () => clock.elapsedSeconds() },
    );
    const execution = stoppedMidTask.start({ go: true });
    await clock.settle();
    expect(ran).toEqual(['First task']);

    execution.abort();
    release();
    await clock.advance(60_000);
    await execution.finished;

    expect(execution.status).toBe('ABORTED');
    expect(execution.currentState).toBe('First task');
    expect(execution.timeline.map((entry) => entry.state)).toEqual(['First task']);
    expect(ran).toEqual(['First task']);
  });
});
