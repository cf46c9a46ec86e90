import { CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type ExecutionListItem,
  type ExecutionStatus,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { KEEP_STATES, OPERATOR_REQUEST_TAG, type KeepRequest } from '../../lambdas/shared/contract';
import { regionOf } from './arns';
import { autoScalingClient } from './clients';
import { stepOf } from './history';

/** A running deployment keeping a fleet (docs/design.md#keeping-fleets), as its history shows it. */
export interface KeptFleet {
  executionArn: string;
  name: string | null;
  /** `undo`: the old fleet, kept in Standby; `debug`: a failed new fleet, kept detached. */
  purpose: 'undo' | 'debug';
  /** The new version's group, which carries the operator's request. */
  newGroup: string;
  /** The fleet kept. */
  keptGroup: string;
}

/** Events read newest first, with their data: enough to find the state a keep's wait is in. */
const KEEP_EVENTS = 25;

const PURPOSE_OF: Readonly<Record<string, KeptFleet['purpose']>> = {
  [KEEP_STATES.oldFleet]: 'undo',
  [KEEP_STATES.oldFleetWait]: 'undo',
  [KEEP_STATES.failedFleetAfterAbort]: 'debug',
  [KEEP_STATES.failedFleetAfterRollback]: 'debug',
};

/**
 * The fleet a running execution keeps, when the state it entered last is a keep's; undefined otherwise.
 * The groups come from that state's input (`$.roles`), as GetExecutionHistory returns it with the data.
 */
export async function keptFleetOf(
  client: SFNClient,
  execution: ExecutionListItem,
): Promise<KeptFleet | undefined> {
  const executionArn = execution.executionArn ?? '';
  const { events = [] } = await client.send(
    new GetExecutionHistoryCommand({
      executionArn,
      reverseOrder: true,
      maxResults: KEEP_EVENTS,
      includeExecutionData: true,
    }),
  );
  const entered = [...events]
    .sort((a, b) => (b.id ?? 0) - (a.id ?? 0))
    .find((event) => event.stateEnteredEventDetails?.name !== undefined)?.stateEnteredEventDetails;
  const step = entered?.name === undefined ? undefined : stepOf(entered.name);
  const purpose = step === undefined ? undefined : PURPOSE_OF[step];
  const roles = purpose && rolesIn(entered?.input);
  if (!purpose || !roles) return undefined;
  const keptGroup = purpose === 'undo' ? roles.active : roles.standby;
  if (keptGroup === undefined) return undefined;
  return { executionArn, name: execution.name ?? null, purpose, newGroup: roles.standby, keptGroup };
}

/** The groups of a state (`$.roles`, state-machine/deployment-state.ts), or undefined if it has none. */
function rolesIn(input: string | undefined): { standby: string; active?: string } | undefined {
  try {
    const roles = (
      JSON.parse(input ?? '{}') as {
        roles?: { standby?: { groupName?: unknown }; active?: { groupName?: unknown } | null };
      }
    ).roles;
    const standby = roles?.standby?.groupName;
    const active = roles?.active?.groupName;
    if (typeof standby !== 'string') return undefined;
    return { standby, active: typeof active === 'string' ? active : undefined };
  } catch {
    return undefined;
  }
}

/**
 * ListExecutions is eventually consistent: an execution that has just ended may still be listed as running
 * (docs/aws-facts/step-functions.md#listexecutions); DescribeExecution says how it stands now.
 */
export async function statusNow(
  client: SFNClient,
  execution: ExecutionListItem,
): Promise<ExecutionStatus | undefined> {
  if (execution.status !== 'RUNNING') return execution.status;
  const { status } = await client.send(
    new DescribeExecutionCommand({ executionArn: execution.executionArn }),
  );
  return status;
}

/** Asks the keep's next check for `request`: the operator-request tag on the new group. */
export async function requestOfKeep(kept: KeptFleet, request: KeepRequest): Promise<void> {
  await autoScalingClient(regionOf(kept.executionArn)).send(
    new CreateOrUpdateTagsCommand({
      Tags: [
        {
          ResourceId: kept.newGroup,
          ResourceType: 'auto-scaling-group',
          Key: OPERATOR_REQUEST_TAG,
          Value: request,
          // The request is for this deployment; instances must not carry it.
          PropagateAtLaunch: false,
        },
      ],
    }),
  );
}
