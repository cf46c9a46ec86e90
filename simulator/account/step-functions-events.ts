/**
 * The event Step Functions sends to the account's default event bus when a Standard workflow's execution
 * changes status (docs/aws-facts/step-functions.md#execution-status-change-events):
 * https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html ("Execution Status
 * Change": event structure and one example per status) and
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-states.html (source and detail-type).
 */
import type { ServiceEvent } from './eventbridge';
import type { ExecutionSummary } from './step-functions';

export const STATUS_CHANGE_SOURCE = 'aws.states';
export const STATUS_CHANGE_DETAIL_TYPE = 'Step Functions Execution Status Change';

/**
 * "If the combined escaped input and escaped output sent to EventBridge exceeds 248 KiB, then the input will
 * be excluded. Similarly, if the escaped output exceeds 248 KiB, then the output will be excluded."
 */
export const STATUS_CHANGE_PAYLOAD_LIMIT = 248 * 1024;

/** `inputDetails` / `outputDetails` (CloudWatchEventsExecutionDataDetails): whether the text is in the event. */
export interface DataDetails {
  readonly included: boolean;
}

/** The event's `detail`, as the developer guide's event structure and examples give it. */
export interface ExecutionStatusChangeDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionSummary['status'];
  /** Epoch milliseconds (the structure says "integer"; e.g. 1551225271984). */
  readonly startDate: number;
  /** Epoch milliseconds; null while RUNNING. */
  readonly stopDate: number | null;
  /** The execution input as JSON text; null when excluded for size. */
  readonly input: string | null;
  readonly inputDetails: DataDetails;
  /** The output as JSON text on SUCCEEDED; null otherwise (and when excluded for size). */
  readonly output: string | null;
  /** Null when there is no output (every example but SUCCEEDED). */
  readonly outputDetails: DataDetails | null;
  /**
   * UNCONFIRMED: the event structure lists no error or cause. The older page of the guide (cw-events) says
   * the detail "provides the same information as the DescribeExecution API", whose error and cause are set
   * when an execution failed (or was stopped with them, StopExecution's error and cause): they are given
   * here when the execution has them, and left out otherwise.
   */
  readonly error?: string;
  readonly cause?: string;
}

/** The "Step Functions Execution Status Change" event of `execution` as it is now. */
export function executionStatusChange(execution: ExecutionSummary, stateMachineArn: string): ServiceEvent {
  const output =
    execution.status === 'SUCCEEDED' && execution.output !== undefined
      ? JSON.stringify(execution.output)
      : null;
  // "Escaped": the text as it sits in the event's JSON, quotes and escapes included.
  const escaped = (text: string) => Buffer.byteLength(JSON.stringify(text), 'utf8');
  const outputIncluded = output === null || escaped(output) <= STATUS_CHANGE_PAYLOAD_LIMIT;
  const inputIncluded =
    escaped(execution.input) + (output !== null && outputIncluded ? escaped(output) : 0) <=
    STATUS_CHANGE_PAYLOAD_LIMIT;
  const detail: ExecutionStatusChangeDetail = {
    executionArn: execution.arn,
    stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate.getTime(),
    stopDate: execution.stopDate?.getTime() ?? null,
    // UNCONFIRMED: how an excluded text appears (null here, with `included: false`).
    input: inputIncluded ? execution.input : null,
    inputDetails: { included: inputIncluded },
    output: outputIncluded ? output : null,
    outputDetails: output === null ? null : { included: outputIncluded },
    ...(execution.error !== undefined && { error: execution.error }),
    ...(execution.cause !== undefined && { cause: execution.cause }),
  };
  return {
    source: STATUS_CHANGE_SOURCE,
    detailType: STATUS_CHANGE_DETAIL_TYPE,
    // Every example names the execution, and only it.
    resources: [execution.arn],
    detail: { ...detail },
  };
}
