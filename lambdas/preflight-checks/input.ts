import * as z from 'zod/mini';
import { groupsSchema } from '../shared/settings/fields';
import { rolesSchema } from '../shared/types';

const waitSchema = z.object({ timeoutSeconds: z.int().check(z.positive()) });

/**
 * What the state machine sends this step: the settings it checks, not the whole configuration (whose schema
 * alone costs a cold start some 15 ms). The definition's payload for it is type-checked against it.
 */
export const InputSchema = z.object({
  groups: groupsSchema,
  /** Roles the orchestrator may pass to EC2 (`instanceRoleArns`). */
  instanceRoleArns: z.array(z.string().check(z.minLength(1))),
  roles: z.pick(rolesSchema, { standby: true, active: true }),
  /** The deadlines of the waits a lifecycle hook may lengthen (`waits`). */
  waits: z.object({
    instancesInService: waitSchema,
    groupEmpty: waitSchema,
    rollbackRecovery: waitSchema,
  }),
  /** What `check-traffic-and-alarms` found, refused here together with the groups' problems. */
  problemsFound: z.array(z.string()),
});
export type Input = z.infer<typeof InputSchema>;
