import { ListExecutionsCommand, SFNClient, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { allPages } from '../batch';
import { callAws, CLIENT_CONFIG } from './call';

export const stepFunctions = new SFNClient(CLIENT_CONFIG);

/**
 * Every RUNNING execution of the state machine (ListExecutions is eventually consistent:
 * docs/aws-facts/step-functions.md#listexecutions).
 */
export async function runningExecutions(stateMachineArn: string): Promise<ExecutionListItem[]> {
  return allPages(async (nextToken) => {
    const page = await callAws('ListExecutions', () =>
      stepFunctions.send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken }),
      ),
    );
    return { items: page.executions, next: page.nextToken };
  });
}
