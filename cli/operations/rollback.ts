import type { Io } from './io';
import { operatorRequestCommand, requestFromOperator, type OperatorRequestOptions } from './operator-request';

/** Rolls the deployment in its window back now: the old fleet serves again, the new group is emptied. */
export function rollback(options: OperatorRequestOptions, io: Io): Promise<number> {
  return requestFromOperator('rollback', options, io);
}

export const rollbackCommand = operatorRequestCommand(
  'rollback',
  'roll the deployment in its rollback window back now (tag on the new group)',
);
