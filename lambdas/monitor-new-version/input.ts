import * as z from 'zod/mini';
import { groupNameSchema, targetGroupArnSchema } from '../shared/settings/fields';
import { monitoringSchema } from '../shared/settings/monitoring';
import { shiftPlanSchema } from '../shared/shift-plan';
import { waitInputSchema } from '../shared/wait';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  /** The NEW group, now serving in the main target group. */
  groupName: groupNameSchema,
  /** The main target group. */
  targetGroupArn: targetGroupArnSchema,
  monitoring: monitoringSchema,
  /**
   * The shift's plan (lambdas/shared/shift-plan.ts): the share baking, and what the comparison reads. Absent:
   * no comparison (an execution planned before comparisons existed).
   */
  plan: z.optional(shiftPlanSchema),
  /** `bake`: one share of a gradual shift, for the plan's bakeMinutes; `window`: the rollback window. */
  stage: z._default(z.enum(['bake', 'window']), 'window'),
  // No timeoutSeconds: reaching the end of the window is success, not a timeout.
  wait: z.extend(waitInputSchema, {
    /** When this check was scheduled (the previous check's answer): the next comes at least an interval later. */
    nextCheckAt: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/))),
  }),
});
export type Input = z.infer<typeof InputSchema>;
