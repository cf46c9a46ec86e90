import * as z from 'zod/mini';
import { groupNameSchema } from '../shared/settings/fields';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  /** The old fleet, detached from every target group, its instances in Standby. */
  groupName: groupNameSchema,
});
export type Input = z.infer<typeof InputSchema>;
