import * as z from 'zod/mini';
import { recordedListenerSchema } from '../shared/listener-weights';
import { groupNameSchema } from '../shared/settings/fields';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  /** The listeners' default actions as the shift's plan found them. */
  listeners: z.array(recordedListenerSchema).check(z.minLength(1)),
  /** The new version's group, whose scaling the shift by weight held (resumed here). */
  groupName: groupNameSchema,
});
export type Input = z.infer<typeof InputSchema>;
