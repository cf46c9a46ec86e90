import * as z from 'zod/mini';
import { settingsSchema } from '../shared/settings';
import { rolesSchema } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  settings: settingsSchema,
  roles: z.pick(rolesSchema, { standby: true }),
  /** What `check-traffic-and-alarms` found, refused here together with the groups' problems. */
  problemsFound: z.array(z.string()),
});
export type Input = z.infer<typeof InputSchema>;
