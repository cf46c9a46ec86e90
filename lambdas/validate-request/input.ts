import * as z from 'zod/mini';
import { executionSchema } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  /** The execution input, as the pipeline, the EventBridge rule or an operator wrote it. */
  request: z.unknown(),
  /** The settings embedded in the state machine at synth time. */
  config: z.unknown(),
  execution: executionSchema,
});
export type Input = z.infer<typeof InputSchema>;
