import type { Io } from './io';
import { operatorRequestCommand, requestFromOperator, type OperatorRequestOptions } from './operator-request';

/** Ends the rollback window now: the deployment finishes as if the window had passed cleanly. */
export function promote(options: OperatorRequestOptions, io: Io): Promise<number> {
  return requestFromOperator('promote', options, io);
}

export const promoteCommand = operatorRequestCommand(
  'promote',
  'finish the deployment in its rollback window now (tag on the new group)',
);
