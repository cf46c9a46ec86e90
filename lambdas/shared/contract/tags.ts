/** Group tag through which an operator promotes early or rolls back during the window (cli/ sets it). */
export const OPERATOR_REQUEST_TAG = 'blue-green:operator-request';
export type OperatorRequest = 'promote' | 'rollback';
