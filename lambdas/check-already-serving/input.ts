import * as z from 'zod/mini';
import { targetGroupArnSchema } from '../shared/settings/fields';
import { amiSelectorSchema, triggerSchema } from '../shared/settings/release';
import { rolesSchema } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  amiId: z.string().check(z.minLength(1)),
  roles: z.pick(rolesSchema, { active: true, targetCapacity: true }),
  mainTargetGroupArn: targetGroupArnSchema,
  /** An AMI event deploys only a newer release than the one serving (lambdas/shared/release-order.ts). */
  trigger: triggerSchema,
  amiSelector: amiSelectorSchema,
});
export type Input = z.infer<typeof InputSchema>;
