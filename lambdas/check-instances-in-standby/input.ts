import * as z from 'zod/mini';
import { groupNameSchema } from '../shared/settings/fields';
import { pollInputShape } from '../shared/wait';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  groupName: groupNameSchema,
  /** The group receiving the new version, whose operator request (tag) this wait honours. */
  operatorRequestGroup: z.optional(groupNameSchema),
  /** A gradual shift's share: done once this percentage of the fleet is in Standby. Absent: all of it. */
  share: z.optional(z.int().check(z.minimum(1), z.maximum(99))),
  ...pollInputShape,
});
export type Input = z.infer<typeof InputSchema>;
