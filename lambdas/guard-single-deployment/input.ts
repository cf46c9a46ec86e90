import * as z from 'zod/mini';
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
});
export type Input = z.infer<typeof InputSchema>;
