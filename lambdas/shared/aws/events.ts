import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { callAws, CLIENT_CONFIG } from './call';

export const eventBridge = new EventBridgeClient(CLIENT_CONFIG);

/**
 * Per-entry error codes EventBridge documents as retryable (API reference, PutEventsResultEntry); every
 * other code (AccessDeniedException, InvalidArgument, MalformedDetail…) fails the same way again.
 */
const RETRYABLE_ENTRY_ERRORS = new Set(['InternalFailure', 'ThrottlingException']);

/** An entry PutEvents did not take: its code and message as EventBridge gave them. */
export interface FailedEntry {
  entry: PutEventsRequestEntry;
  errorCode: string;
  errorMessage: string;
  retryable: boolean;
}

/**
 * Puts `entries` (at most 10, EventBridge's limit per call) on the default event bus (no `EventBusName`).
 * A call EventBridge refuses whole throws as every AWS call does (lambdas/shared/aws/call.ts); an entry it
 * refuses alone comes back in the answer's `Entries`, in the request's order, counted by `FailedEntryCount`:
 * those are returned, the others were put.
 */
export async function putEvents(entries: PutEventsRequestEntry[]): Promise<FailedEntry[]> {
  const answer = await callAws('PutEvents', () =>
    eventBridge.send(new PutEventsCommand({ Entries: entries })),
  );
  if (!answer.FailedEntryCount) return [];
  return (answer.Entries ?? []).flatMap((result, index) =>
    result.ErrorCode
      ? [
          {
            entry: entries[index],
            errorCode: result.ErrorCode,
            errorMessage: result.ErrorMessage ?? '',
            retryable: RETRYABLE_ENTRY_ERRORS.has(result.ErrorCode),
          },
        ]
      : [],
  );
}
