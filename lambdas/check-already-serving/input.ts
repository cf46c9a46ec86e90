import * as z from 'zod';
import { targetGroupArnSchema } from '../shared/settings';
import { rolesSchema } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z
  .object({
    amiId: z.string().min(1),
    roles: rolesSchema.pick({ active: true, targetCapacity: true }),
    mainTargetGroupArn: targetGroupArnSchema,
  })
  .strict();
export type Input = z.infer<typeof InputSchema>;
