import * as z from 'zod/mini';
import { rolesSchema } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  /** The new group (standby) and, unless this is a first deployment, the one serving now (active). */
  roles: z.pick(rolesSchema, { standby: true, active: true }),
});
export type Input = z.infer<typeof InputSchema>;
