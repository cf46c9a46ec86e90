import * as z from 'zod/mini';
import { amiIdSchema } from '../shared/contract/schemas';
import { groupNameSchema, capacitySchema } from '../shared/settings/fields';
import { executionSchema, rolesSchema } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  groupName: groupNameSchema,
  amiId: amiIdSchema,
  capacity: capacitySchema,
  execution: executionSchema,
  /** The group serving now, if any: processes an interrupted deployment left suspended there are resumed. */
  roles: z.pick(rolesSchema, { active: true }),
});
export type Input = z.infer<typeof InputSchema>;
