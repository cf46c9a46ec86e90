import * as z from 'zod/mini';
import { targetGroupsSchema } from '../shared/settings/fields';
import { comparisonSchema, shiftSchema } from '../shared/settings/shift';
import { rolesSchema } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  roles: z.pick(rolesSchema, { firstDeployment: true }),
  shift: shiftSchema,
  comparison: comparisonSchema,
  targetGroups: targetGroupsSchema,
});
export type Input = z.infer<typeof InputSchema>;
