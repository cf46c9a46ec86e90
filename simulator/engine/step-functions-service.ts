// Over 250 lines: the local engine as Step Functions runs an execution: starting it, following its events into the record the API reads, running each Task as Lambda would, and stopping it at any state (withStopIn).
// Before the local engine runs: it needs Promise.withResolvers, which Node 20 lacks, whoever imports this.
import './polyfills';
import type { ExecutionStatus, HistoryEvent } from '@aws-sdk/client-sfn';
import { ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import { standaloneCalls, type ApiCalls } from '../account/api-calls';
import { actingAs } from '../account/iam/principal';
import { asLambdaError } from '../account/lambda';
import {
  StepFunctionsExecutions,
  type BeginExecution,
  type ExecutionSummary,
} from '../account/step-functions';
import type { SimulatedAccount } from '../account';
import { TASK_TOKEN_PLACEHOLDER, TaskTokens } from '../account/task-tokens';
import type { UserFunctions } from '../account/user-functions';
import { runHookTask } from './hook-tasks';
import type { StepName } from '../../state-machine/step-registry';
import type { StepHandlerFunction } from './handlers';
import type { AslDefinition } from './resolve-definition';
import type { SynthesizedWorkflow } from './synthesize';

/** A JSON value as the local engine takes and returns it. */
export type Json = Parameters<StateMachine['run']>[0];
type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;

export interface TimelineEntry {
  state: string;
  /** The name of the execution that entered it (a run may have several: queued releases, a recovery). */
  execution: string;
  /** Seconds of virtual time since the simulation started. */
  at: number;
}

export interface ExecutionRecord extends ExecutionSummary {
  currentState?: string;
  readonly timeline: TimelineEntry[];
  stateTransitions: number;
  /** Its Task states' invocations of a step's handler (duplicates included). */
  lambdaInvocations: number;
  /**
   * Largest state input seen, in bytes of JSON (I7, docs/design.md#invariants: constant whatever the fleet
   * size; limit 256 KiB).
   */
  maxPayloadBytes: number;
  finished: Promise<void>;
}

export interface ServiceOptions {
  /**
   * Run every Lambda twice with the same input and keep the second answer (I6, docs/design.md#invariants).
   */
  readonly duplicateInvocations?: boolean;
  /**
   * Stop the first execution (as an operator's StopExecution would) the moment it enters this state, whatever
   * its type: nothing after it runs. Later executions (a recovery the stop starts, releases queued behind
   * it) run to their end. A Succeed or Fail state cannot be stopped in (it is left as it is
   * entered), and a name that is not a state of the definition is refused.
   */
  readonly stopAtState?: string;
  /** Seconds since the simulation's start, for timelines. */
  readonly elapsedSeconds: () => number;
  readonly onStateEntered?: (execution: ExecutionRecord, state: string) => void;
  /** The teams' functions the definition's hook Tasks invoke (docs/hooks.md). */
  readonly userFunctions?: UserFunctions;
}

/** Definitions known to be valid in this process (validating the synthesized one takes about a second). */
const validDefinitions = new WeakSet<AslDefinition>();

/**
 * Validates a definition as the local engine does (asl-validator, through aws-local-stepfunctions) and
 * throws if it is invalid. Engines started later on the same definition object do not validate it again.
 */
export function validateDefinition(asl: AslDefinition): void {
  if (validDefinitions.has(asl)) return;
  new StateMachine(asl as ConstructorParameters<typeof StateMachine>[0], {
    validationOptions: { checkArn: false },
  });
  validDefinitions.add(asl);
}

/**
 * Records that a definition is valid without validating it again: one read back from the workflow cache,
 * which holds only definitions that passed `validateDefinition` with the validator the lockfile pins.
 */
export function definitionValidated(asl: AslDefinition): void {
  validDefinitions.add(asl);
}

/**
 * Step Functions, locally: runs the synthesized definition with aws-local-stepfunctions, each Task calling
 * the real handler in-process. The Step Functions API over its executions is the simulated account's
 * (simulator/account/step-functions.ts), so the guard step (ListExecutions) and operators' tools see the
 * same executions.
 */
export class LocalStepFunctions {
  readonly lambdaInvocations: Partial<Record<StepName, number>> = {};
  readonly api: StepFunctionsExecutions<ExecutionRecord>;
  /** The callback pattern's tokens: SendTaskSuccess and SendTaskFailure answer the Tasks waiting on them. */
  readonly taskTokens = new TaskTokens();
  private readonly machine: StateMachine;
  private readonly unstoppedMachine: StateMachine;
  private standalone?: ApiCalls;
  /** Tells the API that an execution ended (it sends the status change event): BeginExecution's `ended`. */
  private readonly ended = new Map<ExecutionRecord, () => void>();

  constructor(
    private readonly workflow: SynthesizedWorkflow,
    private readonly handlers: Record<StepName, StepHandlerFunction>,
    private readonly options: ServiceOptions,
  ) {
    const definition = (asl: AslDefinition) => asl as ConstructorParameters<typeof StateMachine>[0];
    // Validated as synthesized, whatever runs (once per definition: see validateDefinition).
    validateDefinition(workflow.asl);
    // With a stop, the stand-in for the stop state runs instead (it leaves the states after it unreachable,
    // which the validator would refuse: the synthesized definition is what was validated).
    const runs =
      options.stopAtState === undefined ? workflow.asl : withStopIn(workflow.asl, options.stopAtState);
    this.machine = new StateMachine(definition(runs), { validationOptions: { noValidate: true } });
    // The operator stops the first deployment; the recovery its stop starts (docs/recovery.md) and the
    // releases that follow run to their end.
    this.unstoppedMachine =
      options.stopAtState === undefined
        ? this.machine
        : new StateMachine(definition(workflow.asl), { validationOptions: { noValidate: true } });
    this.api = new StepFunctionsExecutions(workflow.stateMachineArn, (started) => this.begin(started));
  }

  get executions(): ExecutionRecord[] {
    return this.api.executions;
  }

  get totalLambdaInvocations(): number {
    return Object.values(this.lambdaInvocations).reduce((total, count) => total + (count ?? 0), 0);
  }

  /**
   * Serve the Step Functions API: through `account` (its faults, authorization and records apply), or on
   * its own when there is no account.
   */
  install(account?: SimulatedAccount): void {
    if (account) {
      account.serve('states', [...this.api.routes(), ...this.taskTokens.routes()]);
      // Status changes go to the account's default bus, as an AWS service's events (EventBridge.emit). The
      // account keeps its bus private to the services it builds itself; Step Functions is served from here,
      // hence the element access.
      const bus = account['eventBridge'];
      this.api.sendEventsTo((event) => bus.emit(event));
      return;
    }
    this.standalone = standaloneCalls('states', [...this.api.routes(), ...this.taskTokens.routes()]);
    this.standalone.install();
  }

  uninstall(): void {
    this.standalone?.uninstall();
    this.standalone = undefined;
  }

  /** StartExecution, as the API would (see StepFunctionsExecutions.start). */
  start(input: Json, name?: string): ExecutionRecord {
    return this.api.start(input, name);
  }

  private begin({
    arn,
    name,
    input,
    ended,
  }: Parameters<BeginExecution<ExecutionRecord>>[0]): ExecutionRecord {
    const execution: ExecutionRecord = {
      arn,
      name,
      input: JSON.stringify(input),
      startDate: new Date(),
      status: 'RUNNING',
      timeline: [],
      history: [],
      stateTransitions: 0,
      lambdaInvocations: 0,
      maxPayloadBytes: 0,
      finished: Promise.resolve(),
      abort: () => undefined,
    };
    this.ended.set(execution, ended);
    // Recorded once begun: the first execution sees none before it.
    const stopped = this.executions.length === 0;
    const run = (stopped ? this.machine : this.unstoppedMachine).run(input as Json, {
      overrides: { taskResourceLocalHandlers: this.localHandlers(execution, stopped) },
      context: {
        Execution: { Id: arn, Name: name },
        StateMachine: {
          Id: this.workflow.stateMachineArn,
          Name: this.workflow.stateMachineArn.split(':').pop(),
        },
        // The engine builds one context per execution: each hook Task swaps this for a token of its own.
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
      },
      noThrowOnAbort: true,
    });
    execution.abort = (stop) => {
      if (execution.status !== 'RUNNING') return;
      // ABORTED first: from here no Lambda of this execution starts (localHandlers).
      this.finish(execution, 'ABORTED', { error: stop?.error, cause: stop?.cause });
      run.abort();
    };
    const events = this.followEvents(execution, run.eventLogs, stopped ? () => run.abort() : undefined);
    execution.finished = run.result.then(
      async (output) => {
        await events;
        if (execution.status === 'RUNNING') this.finish(execution, 'SUCCEEDED', { output });
      },
      async (error: unknown) => {
        await events;
        // The definition's TimeoutSeconds elapsed: TIMED_OUT, not FAILED (ExecutionStatus).
        if (error instanceof ExecutionTimeoutError) this.finish(execution, 'TIMED_OUT');
        if (execution.status === 'RUNNING') this.finish(execution, 'FAILED');
      },
    );
    return execution;
  }

  /**
   * Follows the engine's events, which arrive a little after they happen (a Parallel branch's later still:
   * forwarded from the branch's own log). The engine enters no state once it has been stopped, so every
   * StateEntered was dispatched before the stop, and the last one is the state the execution stopped in.
   */
  private async followEvents(
    execution: ExecutionRecord,
    events: AsyncGenerator<EventLog>,
    /** Only for the execution stopped at `stopAtState`. */
    stopEngine: (() => void) | undefined,
  ): Promise<void> {
    const ends = ['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimeout'];
    let ended = false;
    for await (const event of events) {
      // A stopped engine still winds up the state it was in and reports its end: the execution has one end.
      if (ends.includes(event.type) && ended) continue;
      ended ||= ends.includes(event.type);
      for (const entry of toHistoryEvents(event)) {
        execution.history.push({ ...entry, id: execution.history.length + 1 });
      }
      if (event.type === 'StateEntered') {
        execution.stateTransitions++;
        execution.maxPayloadBytes = Math.max(
          execution.maxPayloadBytes,
          JSON.stringify(event.state.input).length,
        );
        execution.currentState = event.state.name;
        execution.timeline.push({
          state: event.state.name,
          execution: execution.name,
          at: this.options.elapsedSeconds(),
        });
        this.options.onStateEntered?.(execution, event.state.name);
        // The stand-in for the stop state has stopped the execution; once its entry is recorded (a branch's
        // events would be lost once the engine closes its log), the engine can be shut down.
        if (stopEngine && event.state.name === this.options.stopAtState) stopEngine();
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
    // Once, whichever way it ended (a stop included): the API sends the status change event.
    this.ended.get(execution)?.();
  }

  /**
   * Each Task calls its handler as Lambda would: a thrown error surfaces with the error's name as the
   * error type and a JSON cause `{errorType, errorMessage}`, so Retry/Catch and the report step see what
   * Step Functions reports for a Lambda function error.
   */
  private localHandlers(
    execution: ExecutionRecord,
    stopped: boolean,
  ): Record<string, (input: Json) => Promise<Json>> {
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    const never = () => new Promise<Json>(() => undefined);
    for (const [state, step] of this.workflow.stepByState) {
      handlers[state] = async (input) => {
        // A stopped execution starts nothing; the engine, stopped too, never sees this task end.
        if (execution.status !== 'RUNNING') return never();
        const principal = this.workflow.principals.get(step);
        if (!principal) throw new Error(`no role was synthesized for ${step}`);
        const invoke = async () => {
          this.lambdaInvocations[step] = (this.lambdaInvocations[step] ?? 0) + 1;
          execution.lambdaInvocations++;
          return (await actingAs(principal, () => this.handlers[step](structuredClone(input)))) as Json;
        };
        try {
          // A duplicate invocation's effects stay, but its answer (a result or an error) is the one Step
          // Functions did not get: only one invocation's answer reaches the state machine.
          if (this.options.duplicateInvocations) await invoke().catch(() => undefined);
          return await invoke();
        } catch (error) {
          throw asLambdaError(error);
        }
      };
    }
    for (const [state, task] of Object.entries(this.workflow.hookTasks ?? {})) {
      handlers[state] = async (input) => {
        if (execution.status !== 'RUNNING') return never();
        return (await runHookTask(
          {
            task,
            stateMachine: this.workflow.stateMachinePrincipal,
            functions: this.options.userFunctions,
            tokens: this.taskTokens,
            executionRunning: () => execution.status === 'RUNNING',
          },
          input,
        )) as Json;
      };
    }
    const stopAt = this.options.stopAtState;
    if (stopAt !== undefined && stopped) {
      // The stand-in for the state the operator stops the execution in (withStopIn): entered, it stops the
      // execution at once, before the engine could take another step; the engine follows in followEvents.
      handlers[stopAt] = () => {
        execution.currentState = stopAt;
        this.finish(execution, 'ABORTED');
        return never();
      };
    }
    return handlers;
  }
}

/** The Resource of the stand-in for the state an execution is stopped in (it runs a local handler only). */
const STOP_RESOURCE = 'arn:aws:states:::simulator:stop-execution';

/**
 * The definition with the state named `stopAt` (at any depth: Parallel branches too) replaced by a Task that
 * stops the execution and never ends. The engine dispatches a state's entry before running it and runs
 * Choice, Pass and Parallel states without waiting, so a stop that only followed the (buffered) events would
 * land after the next Task had started, unrecorded. The stand-in makes the stop take effect as the state is
 * entered, for every state type, with nothing after it run: StopExecution at that moment.
 */
export function withStopIn(asl: AslDefinition, stopAt: string): AslDefinition {
  // Not structuredClone: under jest its objects come from another realm, which the engine's plain-object
  // test (payload templates, ResultPath) does not recognise.
  const copy = JSON.parse(JSON.stringify(asl)) as AslDefinition;
  const found = findState(copy.States, stopAt);
  if (!found) throw new Error(`cannot stop in "${stopAt}": the state machine has no state of that name`);
  const type = String(found.states[stopAt]?.Type);
  if (type === 'Succeed' || type === 'Fail') {
    throw new Error(
      `cannot stop in "${stopAt}": a ${type} state is left as it is entered (it ends the execution, or its Parallel branch), so no stop can land in it`,
    );
  }
  found.states[stopAt] = {
    Type: 'Task',
    Comment: `Stands in for the ${type} state "${stopAt}": the execution is stopped as it enters it.`,
    Resource: STOP_RESOURCE,
    // AWS's default (no timeout); the engine's own default would fail the state after 60 s.
    TimeoutSeconds: 99_999_999,
    End: true,
  };
  return copy;
}

type StateMap = Record<string, Record<string, unknown> | undefined>;

/** Every state of a definition, Parallel branches and Map processors included, with its type. */
export function stateTypes(asl: { States: Record<string, unknown> }): Map<string, string> {
  const types = new Map<string, string>();
  for (const [name, state] of Object.entries(asl.States as StateMap)) {
    types.set(name, String(state?.Type));
    const branches = Array.isArray(state?.Branches) ? (state.Branches as unknown[]) : [];
    for (const machine of [...branches, state?.ItemProcessor, state?.Iterator]) {
      const nested = (machine as { States?: Record<string, unknown> } | undefined)?.States;
      if (nested) for (const [inner, type] of stateTypes({ States: nested })) types.set(inner, type);
    }
  }
  return types;
}

function findState(states: Record<string, unknown>, name: string): { states: StateMap } | undefined {
  const map = states as StateMap;
  if (map[name] !== undefined) return { states: map };
  for (const state of Object.values(map)) {
    const branches = Array.isArray(state?.Branches) ? (state.Branches as unknown[]) : [];
    for (const machine of [...branches, state?.ItemProcessor, state?.Iterator]) {
      const nested = (machine as { States?: Record<string, unknown> } | undefined)?.States;
      const found = nested ? findState(nested, name) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The history events AWS writes for an engine event. A retry writes no state event: the failed attempt's
 * TaskFailed, then the next attempt's TaskScheduled and TaskStarted (the
 * retry policy's HISTORY_EVENTS_PER_RETRY), so a Task retrying for an hour buries its StateEntered under
 * hundreds of events, as on AWS (the guard must still find it).
 */
function toHistoryEvents(event: EventLog): Omit<HistoryEvent, 'id'>[] {
  if (event.type !== 'StateRetried') return [toHistoryEvent(event, 0)];
  const timestamp = new Date(event.timestamp);
  return (['TaskFailed', 'TaskScheduled', 'TaskStarted'] as const).map((type) => ({ timestamp, type }));
}

function toHistoryEvent(event: EventLog, id: number): HistoryEvent {
  const base = { id, timestamp: new Date(event.timestamp) };
  switch (event.type) {
    case 'StateEntered':
      // With includeExecutionData (the default), AWS gives the state's input: the guard reads the AMI from it.
      return {
        ...base,
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: event.state.name, input: JSON.stringify(event.state.input) },
      };
    case 'StateExited':
      // With includeExecutionData (the default), AWS gives each state's output; status and the CLI read it.
      return {
        ...base,
        type: 'TaskStateExited',
        stateExitedEventDetails: {
          name: event.state.name,
          output: event.state.output === undefined ? undefined : JSON.stringify(event.state.output),
        },
      };
    case 'ExecutionFailed':
      return {
        ...base,
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: event.Error, cause: String(event.Cause) },
      };
    case 'ExecutionSucceeded':
      return { ...base, type: 'ExecutionSucceeded' };
    case 'ExecutionStarted':
      return { ...base, type: 'ExecutionStarted' };
    case 'ExecutionAborted':
      return { ...base, type: 'ExecutionAborted' };
    case 'ExecutionTimeout':
      return { ...base, type: 'ExecutionTimedOut' };
    default:
      return { ...base, type: 'PassStateEntered' };
  }
}
