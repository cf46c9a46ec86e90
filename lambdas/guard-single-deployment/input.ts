import * as z from 'zod/mini';
import { amiIdSchema } from '../shared/contract/schemas';
import { amiSelectorSchema, triggerSchema, whileDeployingSchema } from '../shared/settings/release';
import { executionSchema } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  execution: z.extend(executionSchema, {
    // An unreadable start time would compare as "nobody goes first" and let two deployments run.
    startTime: z.string().check(
      z.refine((value) => !Number.isNaN(Date.parse(value)), {
        message: 'must be an ISO 8601 timestamp ($$.Execution.StartTime)',
      }),
    ),
  }),
  /**
   * Its request: a second execution for the same AMI is a duplicate, not another deployment. None for a
   * recovery (docs/recovery.md), which goes before any deployment.
   */
  amiId: z.nullable(amiIdSchema),
  trigger: triggerSchema,
  whileDeploying: whileDeployingSchema,
  /** How the releases waiting to deploy are ordered: only the newest stays queued. */
  amiSelector: amiSelectorSchema,
});
export type Input = z.infer<typeof InputSchema>;
