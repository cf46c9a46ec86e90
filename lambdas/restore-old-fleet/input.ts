import * as z from 'zod/mini';
import { groupNameSchema, targetGroupArnSchema, capacitySchema } from '../shared/settings/fields';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  /** The old fleet, parked in Standby. */
  groupName: groupNameSchema,
  mainTargetGroupArn: targetGroupArnSchema,
  /** The old group's capacity before the deployment. */
  capacity: capacitySchema,
  /** The new version's group: the old fleet comes back at least as large as it serves with now. */
  newGroupName: groupNameSchema,
});
export type Input = z.infer<typeof InputSchema>;
