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
  wait: z.extend(waitInputSchema, {
    /** When this check was scheduled (the previous check's answer): the next comes at least an interval later. */
    nextCheckAt: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/))),
  }),
});
export type Input = z.infer<typeof InputSchema>;
