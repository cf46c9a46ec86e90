import { operatorRequestCommand } from './operator-request';

export const abortCommand = operatorRequestCommand(
  'abort',
  'stop the deployment at any phase: abort before the shift, roll back after (tag on the new group)',
);
