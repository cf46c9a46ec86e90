import * as z from 'zod/mini';
import { groupNameSchema, targetGroupArnSchema } from '../shared/settings/fields';
import { monitoringSchema } from '../shared/settings/monitoring';
import { waitInputSchema } from '../shared/wait';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  /** The NEW group, now serving in the main target group. */
  groupName: groupNameSchema,
  /** The main target group. */
  targetGroupArn: targetGroupArnSchema,
  monitoring: monitoringSchema,
  // No timeoutSeconds: reaching the end of the window is success, not a timeout.
  wait: waitInputSchema,
});
export type Input = z.infer<typeof InputSchema>;
