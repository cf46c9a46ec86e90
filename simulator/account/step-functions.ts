// Over 250 lines: the Step Functions API of one state machine (its executions, their API calls and status change events), which share the execution records.
/**
 * The Step Functions API of the simulated account (docs/aws-facts/step-functions.md): the execution
 * records of one state machine and the rules of StartExecution, DescribeExecution, ListExecutions,
 * GetExecutionHistory and StopExecution. What an execution does once started is not modelled here: the
 * local engine runs it (simulator/engine/step-functions-service.ts), and tests that only need executions
 * to exist record them with `recordedExecution`.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type ExecutionStatus,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { constraintMessage, serviceError } from './errors';
import type { ServiceEvent } from './eventbridge';
import { paginate } from './pagination';
import { checkLength, MAX_CAUSE_LENGTH, MAX_DATA_BYTES, MAX_ERROR_LENGTH } from './step-functions-limits';
import { route, type Route } from './router';
import { executionStatusChange } from './step-functions-events';

/**
 * How long ListExecutions lags (modelled eventual consistency, UNCONFIRMED figure): a new execution stays
 * out of it, and an ended one stays listed as RUNNING, this long.
 */
export const LISTING_LAG_MS = 5_000;

/** What the API knows of an execution; the engine's records add what it observes while running one. */
export interface ExecutionSummary {
  readonly arn: string;
  readonly name: string;
  /** The execution input as given to StartExecution (JSON text). */
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  readonly history: HistoryEvent[];
  /** StopExecution: ends a running execution as ABORTED, with the error and cause it was given. */
  abort(stop?: StopReason): void;
}

/** StopExecution's optional `error` and `cause` (API_StopExecution). */
export interface StopReason {
  readonly error?: string;
  readonly cause?: string;
}

/**
 * Starts what runs an execution the API has accepted (name, ARN and input already checked). It calls `ended`
 * once, when the execution's status leaves RUNNING, so that the API sends its status change event.
 */
export type BeginExecution<R extends ExecutionSummary> = (started: {
  arn: string;
  name: string;
  input: unknown;
  ended: () => void;
}) => R;

/**
 * Deliveries nested this deep (a status change starting an execution whose status change starts another, in
 * the same call) are a rule looping on its own state machine's events: a setup mistake, stopped here.
 */
const MAX_NESTED_STATUS_CHANGES = 50;

/** An execution that only exists (RUNNING until stopped): for tests of callers of the Step Functions API. */
export const recordedExecution: BeginExecution<ExecutionSummary> = ({ arn, name, input, ended }) => {
  const execution: ExecutionSummary = {
    arn,
    name,
    input: JSON.stringify(input),
    startDate: new Date(),
    status: 'RUNNING',
    history: [],
    abort: (stop) => {
      if (execution.status !== 'RUNNING') return;
      execution.status = 'ABORTED';
      execution.stopDate = new Date();
      execution.error = stop?.error;
      execution.cause = stop?.cause;
      ended();
    },
  };
  return execution;
};

export class StepFunctionsExecutions<R extends ExecutionSummary> {
  readonly executions: R[] = [];
  private counter = 0;
  private sendEvent?: (event: ServiceEvent) => void;
  private nested = 0;

  constructor(
    readonly stateMachineArn: string,
    private readonly begin: BeginExecution<R>,
  ) {}

  /**
   * StartExecution: the same name while running with the same input returns the original; otherwise a
   * reused name is ExecutionAlreadyExists (docs/aws-facts/step-functions.md#startexecution). AWS names an
   * unnamed execution with a UUID; here they are numbered, for readable reports.
   */
  start(input: unknown, name?: string): R {
    const executionName = name ?? `deployment-${String(++this.counter).padStart(4, '0')}`;
    const existing = this.executions.find((execution) => execution.name === executionName);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === JSON.stringify(input)) return existing;
      throw serviceError('states', 'ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
    }
    const arn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    // An execution may end while it is begun (stopped as it enters its first state): its end is told once its
    // start has been.
    const begun: { execution?: R } = {};
    let endedWhileBegun = false;
    const execution: R = this.begin({
      arn,
      name: executionName,
      input,
      ended: () => (begun.execution ? this.statusChanged(begun.execution) : (endedWhileBegun = true)),
    });
    begun.execution = execution;
    this.executions.push(execution);
    // The guide's "execution started" example: a RUNNING event when the execution starts, as it was then.
    const asStarted = { status: 'RUNNING' as const, stopDate: undefined, output: undefined };
    this.statusChanged({ ...execution, ...asStarted, error: undefined, cause: undefined });
    if (endedWhileBegun) this.statusChanged(execution);
    return execution;
  }

  /**
   * From now on each status change of an execution (RUNNING as it starts, then how it ended) is sent to
   * `sendEvent`, the account's default bus: "Status changes in state machine executions are sent to
   * EventBridge automatically", for Standard workflows only, which the orchestrator is
   * (docs/aws-facts/step-functions.md#execution-status-change-events). AWS delivers them best effort and
   * maybe out of order; here each is sent as the status changes, in order, so a run replays the same.
   */
  sendEventsTo(sendEvent: (event: ServiceEvent) => void): void {
    this.sendEvent = sendEvent;
  }

  private statusChanged(execution: ExecutionSummary): void {
    if (!this.sendEvent) return;
    if (this.nested >= MAX_NESTED_STATUS_CHANGES)
      throw new Error(
        `${MAX_NESTED_STATUS_CHANGES} status changes in a row each started another execution: does a rule start ${this.stateMachineArn} on its own events?`,
      );
    this.nested++;
    try {
      this.sendEvent(executionStatusChange(execution, this.stateMachineArn));
    } finally {
      this.nested--;
    }
  }

  find(executionArn: string | undefined): R {
    const execution = this.executions.find((candidate) => candidate.arn === executionArn);
    if (!execution)
      throw serviceError('states', 'ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  routes(): Route[] {
    return [
      route(StartExecutionCommand, (input) => {
        this.requireStateMachine(input.stateMachineArn);
        if (input.name !== undefined) checkExecutionName(input.name);
        checkLength(input.input, 'input', MAX_DATA_BYTES);
        const execution = this.start(parseExecutionInput(input.input), input.name);
        return { executionArn: execution.arn, startDate: execution.startDate };
      }),
      route(DescribeExecutionCommand, (input) => {
        const execution = this.find(input.executionArn);
        return {
          ...this.summary(execution),
          input: execution.input,
          output: execution.output === undefined ? undefined : JSON.stringify(execution.output),
          error: execution.error,
          cause: execution.cause,
        };
      }),
      route(ListExecutionsCommand, (input) => {
        this.requireStateMachine(input.stateMachineArn);
        // Newest first (docs/aws-facts/step-functions.md#listexecutions), and eventually consistent: an
        // execution shows up LISTING_LAG_MS after it started, which is what the guard's second look is for.
        // Its end shows as late: for LISTING_LAG_MS after it ended, an execution is still listed as RUNNING
        // (DescribeExecution tells its status at once).
        const visibleSince = Date.now() - LISTING_LAG_MS;
        const listedStatus = (execution: R): ExecutionStatus | undefined =>
          execution.stopDate && execution.stopDate.getTime() > visibleSince ? 'RUNNING' : execution.status;
        const matching = this.executions
          .filter((execution) => execution.startDate.getTime() <= visibleSince)
          .filter((execution) => !input.statusFilter || listedStatus(execution) === input.statusFilter)
          .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
        const { page, nextToken } = pageOf(matching, input, 'ListExecutions');
        return {
          executions: page.map((execution) => ({
            ...this.summary(execution),
            status: listedStatus(execution),
            stopDate: listedStatus(execution) === 'RUNNING' ? undefined : execution.stopDate,
          })),
          nextToken,
        };
      }),
      route(GetExecutionHistoryCommand, (input) => {
        // Oldest first unless reverseOrder; execution data (state input and output) unless left out
        // (docs/aws-facts/step-functions.md#getexecutionhistory).
        const events = [...this.find(input.executionArn).history];
        if (input.reverseOrder) events.reverse();
        const { page, nextToken } = pageOf(events, input, 'GetExecutionHistory');
        const withoutData = (event: HistoryEvent): HistoryEvent => ({
          ...event,
          ...(event.stateExitedEventDetails && {
            stateExitedEventDetails: { ...event.stateExitedEventDetails, output: undefined },
          }),
          ...(event.stateEnteredEventDetails && {
            stateEnteredEventDetails: { ...event.stateEnteredEventDetails, input: undefined },
          }),
        });
        return {
          events: input.includeExecutionData === false ? page.map(withoutData) : page,
          nextToken,
        };
      }),
      // StopExecution: nothing runs after it (docs/aws-facts/step-functions.md#stopexecution).
      route(StopExecutionCommand, (input) => {
        checkLength(input.error, 'error', MAX_ERROR_LENGTH);
        checkLength(input.cause, 'cause', MAX_CAUSE_LENGTH);
        this.find(input.executionArn).abort({ error: input.error, cause: input.cause });
        return { stopDate: new Date() };
      }),
    ];
  }

  /** What ListExecutions lists of an execution, and DescribeExecution starts from. */
  private summary(execution: R) {
    return {
      executionArn: execution.arn,
      stateMachineArn: this.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      stopDate: execution.stopDate,
    };
  }

  private requireStateMachine(arn: string | undefined): void {
    if (arn !== this.stateMachineArn)
      throw serviceError('states', 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  }
}

/**
 * One page of a listing: `maxResults` from 0 to 1,000 (a value outside is a ValidationException), 100 when
 * omitted or 0; the token is opaque to callers, and one the operation did not hand out is InvalidToken
 * (docs/aws-facts/step-functions.md#listexecutions; API_ListExecutions and API_GetExecutionHistory,
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html).
 */
function pageOf<T>(items: T[], input: { maxResults?: number; nextToken?: string }, operation: string) {
  const { maxResults } = input;
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000)) {
    throw serviceError(
      'states',
      'ValidationException',
      constraintMessage(String(maxResults), 'maxResults', 'Member must have value between 0 and 1000'),
    );
  }
  // UNCONFIRMED: the message text of InvalidToken.
  const invalidToken = () => serviceError('states', 'InvalidToken', `Invalid Token: '${input.nextToken}'`);
  const { items: page, nextToken } = paginate(
    items,
    input.nextToken,
    maxResults || 100,
    operation,
    invalidToken,
  );
  return { page, nextToken };
}

/**
 * StartExecution's `name`: 1 to 80 characters, none of white space, brackets, wildcards, the special
 * characters the API reference lists, or control characters; else InvalidName
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 */
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

function isControlCharacter(character: string): boolean {
  const code = character.charCodeAt(0);
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

function checkExecutionName(name: string): void {
  if (
    name.length < 1 ||
    name.length > 80 ||
    FORBIDDEN_NAME_CHARACTERS.test(name) ||
    [...name].some(isControlCharacter)
  ) {
    // UNCONFIRMED: the message text.
    throw serviceError('states', 'InvalidName', `Invalid Name: '${name}'`);
  }
}

/**
 * StartExecution's input: any JSON text (an object, but also an array, a string, a number, a boolean or
 * null), `{}` when omitted; text that is not JSON is refused before anything starts (InvalidExecutionInput,
 * "The provided JSON input data is not valid": API_StartExecution in the Step Functions API reference).
 */
function parseExecutionInput(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '{}');
  } catch (error) {
    // UNCONFIRMED: exact text; the error name is the API reference's.
    throw serviceError(
      'states',
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: '${(error as Error).message}'`,
    );
  }
}
