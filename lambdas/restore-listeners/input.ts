import * as z from 'zod/mini';
import { recordedListenerSchema } from '../shared/listener-weights';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  /** The listeners' default actions as the shift's plan found them. */
  listeners: z.array(recordedListenerSchema).check(z.minLength(1)),
});
export type Input = z.infer<typeof InputSchema>;
