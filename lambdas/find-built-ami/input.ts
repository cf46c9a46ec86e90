import * as z from 'zod/mini';
import { imageBuilderSchema } from '../shared/settings/release';
import { executionSchema } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  /** The image the rule's event named (the event's only resource). */
  imageBuildVersionArn: z.string().check(z.minLength(1)),
  /** The pipelines whose images this application deploys (settings `imageBuilder`). */
  imageBuilder: imageBuilderSchema,
  /** Its ARN names the account and Region the AMI must be distributed to. */
  execution: executionSchema,
});
export type Input = z.infer<typeof InputSchema>;
