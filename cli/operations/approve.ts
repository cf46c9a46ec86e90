import { operatorRequestCommand } from './operator-request';

export const approveCommand = operatorRequestCommand(
  'approve',
  'let the deployment waiting at its approval gate shift traffic (tag on the new group)',
);
