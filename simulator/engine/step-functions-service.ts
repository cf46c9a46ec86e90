import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type ExecutionStatus,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { StateMachine } from 'aws-local-stepfunctions';
import { authorize } from '../account/iam/authorization';
import { actingAs, currentPrincipal } from '../account/iam/principal';
import type { StepHandler } from '../../state-machine/step-handlers';
import type { StepHandlerFunction } from './handlers';
import type { SynthesizedWorkflow } from './synthesize';

/** A JSON value as the local engine takes and returns it. */
export type Json = Parameters<StateMachine['run']>[0];
type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;

/** How long a new execution stays out of ListExecutions (modelled eventual consistency). */
export const LISTING_LAG_MS = 5_000;

export interface TimelineEntry {
  state: string;
  /** Seconds of virtual time since the simulation started. */
  at: number;
}

export interface ExecutionRecord {
  readonly arn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  currentState?: string;
  readonly timeline: TimelineEntry[];
  readonly history: HistoryEvent[];
  stateTransitions: number;
  /** Largest state input seen, in bytes of JSON (DESIGN I7: constant whatever the fleet size; limit 256 KiB). */
  maxPayloadBytes: number;
  finished: Promise<void>;
  abort(): void;
}

export interface ServiceOptions {
  /** Run every Lambda twice with the same input and keep the second answer (DESIGN I6). */
  readonly duplicateInvocations?: boolean;
  /** Stop the execution (as an operator's StopExecution would) when it enters this state. */
  readonly stopAtState?: string;
  /** Seconds since the simulation's start, for timelines. */
  readonly elapsedSeconds: () => number;
  readonly onStateEntered?: (execution: ExecutionRecord, state: string) => void;
}

/**
 * Step Functions, locally: runs the synthesized definition with aws-local-stepfunctions, each Task calling
 * the real handler in-process, and answers the SDK's Step Functions commands from the executions it runs,
 * so the guard step (ListExecutions) and operators' tools see the same executions.
 */
export class LocalStepFunctions {
  readonly executions: ExecutionRecord[] = [];
  readonly lambdaInvocations: Partial<Record<StepHandler, number>> = {};
  private readonly machine: StateMachine;
  private mock?: { restore(): void };
  private counter = 0;

  constructor(
    private readonly workflow: SynthesizedWorkflow,
    private readonly handlers: Record<StepHandler, StepHandlerFunction>,
    private readonly options: ServiceOptions,
  ) {
    this.machine = new StateMachine(workflow.asl as ConstructorParameters<typeof StateMachine>[0], {
      validationOptions: { checkArn: false },
    });
  }

  get totalLambdaInvocations(): number {
    return Object.values(this.lambdaInvocations).reduce((total, count) => total + (count ?? 0), 0);
  }

  install(): void {
    const mock = mockClient(SFNClient);
    // Calls made as a step are authorized against its role, like every call the simulated account serves.
    const authorized =
      <I extends object, O>(operation: string, answer: (input: I) => O) =>
      (input: I) => {
        const principal = currentPrincipal();
        if (principal) authorize(principal, 'states', operation, input);
        return answer(input);
      };
    mock.on(StartExecutionCommand).callsFake(
      authorized('StartExecution', (input: { stateMachineArn?: string; input?: string; name?: string }) => {
        this.requireStateMachine(input.stateMachineArn);
        const execution = this.start(JSON.parse(input.input ?? '{}') as Json, input.name);
        return { executionArn: execution.arn, startDate: execution.startDate };
      }),
    );
    mock.on(DescribeExecutionCommand).callsFake(
      authorized('DescribeExecution', (input: { executionArn?: string }) => {
        const execution = this.find(input.executionArn);
        return {
          ...this.summary(execution),
          input: execution.input,
          output: execution.output === undefined ? undefined : JSON.stringify(execution.output),
          error: execution.error,
          cause: execution.cause,
        };
      }),
    );
    mock.on(ListExecutionsCommand).callsFake(
      authorized(
        'ListExecutions',
        (input: {
          stateMachineArn?: string;
          statusFilter?: string;
          maxResults?: number;
          nextToken?: string;
        }) => {
          this.requireStateMachine(input.stateMachineArn);
          // Newest first, like the service (AWS-FACTS). The listing is eventually consistent: an execution
          // shows up LISTING_LAG_MS after it started (UNCONFIRMED: AWS gives no figure), which is what the
          // guard's second look is for.
          const visibleSince = Date.now() - LISTING_LAG_MS;
          const matching = [...this.executions]
            .filter((execution) => execution.startDate.getTime() <= visibleSince)
            .filter((execution) => !input.statusFilter || execution.status === input.statusFilter)
            .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
          const start = Number(input.nextToken ?? 0);
          const pageSize = Math.min(input.maxResults || 100, 1000);
          const page = matching.slice(start, start + pageSize);
          return {
            executions: page.map((execution) => this.summary(execution)),
            nextToken: start + pageSize < matching.length ? String(start + pageSize) : undefined,
          };
        },
      ),
    );
    mock.on(StopExecutionCommand).callsFake((input: { executionArn?: string }) => {
      const execution = this.find(input.executionArn);
      execution.abort();
      return { stopDate: new Date() };
    });
    mock.on(GetExecutionHistoryCommand).callsFake((input: { executionArn?: string }) => ({
      events: this.find(input.executionArn).history,
    }));
    this.mock = mock;
  }

  uninstall(): void {
    this.mock?.restore();
  }

  /** StartExecution: the same name while running with the same input returns the original (AWS-FACTS). */
  start(input: Json, name?: string): ExecutionRecord {
    const executionName = name ?? `deployment-${String(++this.counter).padStart(4, '0')}`;
    const existing = this.executions.find((execution) => execution.name === executionName);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === JSON.stringify(input)) return existing;
      throw new ExecutionAlreadyExists({
        message: `Execution Already Exists: '${existing.arn}'`,
        $metadata: {},
      });
    }
    const arn = `${this.workflow.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const execution: ExecutionRecord = {
      arn,
      name: executionName,
      input: JSON.stringify(input),
      startDate: new Date(),
      status: 'RUNNING',
      timeline: [],
      history: [],
      stateTransitions: 0,
      maxPayloadBytes: 0,
      finished: Promise.resolve(),
      abort: () => undefined,
    };
    const run = this.machine.run(input, {
      overrides: { taskResourceLocalHandlers: this.localHandlers(execution) },
      context: {
        Execution: { Id: arn, Name: executionName },
        StateMachine: {
          Id: this.workflow.stateMachineArn,
          Name: this.workflow.stateMachineArn.split(':').pop(),
        },
      },
      noThrowOnAbort: true,
    });
    execution.abort = () => {
      if (execution.status !== 'RUNNING') return;
      run.abort();
      this.finish(execution, 'ABORTED');
    };
    const events = this.followEvents(execution, run.eventLogs);
    execution.finished = run.result.then(
      async (output) => {
        await events;
        if (execution.status === 'RUNNING') this.finish(execution, 'SUCCEEDED', { output });
      },
      async () => {
        await events;
        if (execution.status === 'RUNNING') this.finish(execution, 'FAILED');
      },
    );
    this.executions.push(execution);
    return execution;
  }

  private async followEvents(execution: ExecutionRecord, events: AsyncGenerator<EventLog>): Promise<void> {
    for await (const event of events) {
      execution.history.push(toHistoryEvent(event, execution.history.length + 1));
      if (event.type === 'StateEntered') {
        execution.stateTransitions++;
        execution.maxPayloadBytes = Math.max(
          execution.maxPayloadBytes,
          JSON.stringify(event.state.input).length,
        );
        // Events are buffered: those that arrive after a stop happened before it, and must not move the
        // state the execution was stopped in.
        if (execution.status === 'RUNNING') execution.currentState = event.state.name;
        execution.timeline.push({ state: event.state.name, at: this.options.elapsedSeconds() });
        this.options.onStateEntered?.(execution, event.state.name);
        if (event.state.name === this.options.stopAtState) execution.abort();
      } else if (event.type === 'ExecutionFailed') {
        this.finish(execution, 'FAILED', { error: event.Error, cause: String(event.Cause ?? '') });
      }
    }
  }

  private finish(
    execution: ExecutionRecord,
    status: ExecutionStatus,
    result: Partial<ExecutionRecord> = {},
  ): void {
    if (execution.status !== 'RUNNING') return;
    Object.assign(execution, result);
    execution.status = status;
    execution.stopDate = new Date();
  }

  /**
   * Each Task calls its handler as Lambda would: a thrown error surfaces with the error's name as the
   * error type and a JSON cause `{errorType, errorMessage}`, so Retry/Catch and the report step see what
   * Step Functions reports for a Lambda function error.
   */
  private localHandlers(execution: ExecutionRecord): Record<string, (input: Json) => Promise<Json>> {
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [state, step] of this.workflow.stepByState) {
      handlers[state] = async (input) => {
        if (state === this.options.stopAtState) {
          // Stopped as the state is entered: its Lambda never runs, as with StopExecution before it starts.
          execution.currentState = state;
          execution.abort();
          return new Promise<Json>(() => undefined);
        }
        const principal = this.workflow.principals.get(step);
        if (!principal) throw new Error(`no role was synthesized for ${step}`);
        const invoke = async () => {
          this.lambdaInvocations[step] = (this.lambdaInvocations[step] ?? 0) + 1;
          return (await actingAs(principal, () => this.handlers[step](structuredClone(input)))) as Json;
        };
        try {
          if (this.options.duplicateInvocations) await invoke();
          return await invoke();
        } catch (error) {
          throw asLambdaError(error);
        }
      };
    }
    return handlers;
  }

  /** What ListExecutions lists of an execution, and DescribeExecution starts from. */
  private summary(execution: ExecutionRecord) {
    return {
      executionArn: execution.arn,
      stateMachineArn: this.workflow.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      stopDate: execution.stopDate,
    };
  }

  private find(executionArn: string | undefined): ExecutionRecord {
    const execution = this.executions.find((candidate) => candidate.arn === executionArn);
    if (!execution)
      throw new ExecutionDoesNotExist({
        message: `Execution Does Not Exist: '${executionArn}'`,
        $metadata: {},
      });
    return execution;
  }

  private requireStateMachine(arn: string | undefined): void {
    if (arn !== this.workflow.stateMachineArn) {
      throw Object.assign(new Error(`State Machine Does Not Exist: '${arn}'`), {
        name: 'StateMachineDoesNotExist',
      });
    }
  }
}

function asLambdaError(error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const lambdaError = new Error(
    JSON.stringify({ errorType: original.name, errorMessage: original.message, trace: [] }),
  );
  lambdaError.name = original.name;
  return lambdaError;
}

function toHistoryEvent(event: EventLog, id: number): HistoryEvent {
  const base = { id, timestamp: new Date(event.timestamp) };
  switch (event.type) {
    case 'StateEntered':
      return { ...base, type: 'TaskStateEntered', stateEnteredEventDetails: { name: event.state.name } };
    case 'StateExited':
      return { ...base, type: 'TaskStateExited', stateExitedEventDetails: { name: event.state.name } };
    case 'ExecutionFailed':
      return {
        ...base,
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: event.Error, cause: String(event.Cause) },
      };
    case 'ExecutionSucceeded':
      return { ...base, type: 'ExecutionSucceeded' };
    default:
      return { ...base, type: 'PassStateEntered' };
  }
}
