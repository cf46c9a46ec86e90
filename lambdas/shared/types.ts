import * as z from 'zod/mini';
import { capacitySchema, groupNameSchema, targetGroupArnSchema, type Capacity } from './settings/fields';

/** The execution's identity, from the context object; used for the guard and for idempotency tokens. */
export const executionSchema = z.object({
  id: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  stateMachineArn: z.string().check(z.minLength(1)),
  startTime: z.string().check(z.minLength(1)),
});
export type ExecutionRef = z.infer<typeof executionSchema>;

/** Which group serves now (the old fleet) and which receives the new version; discovered, never configured. */
export const rolesSchema = z.object({
  firstDeployment: z.boolean(),
  active: z.nullable(
    z.object({ groupName: groupNameSchema, capacity: capacitySchema, instanceCount: z.number() }),
  ),
  standby: z.object({ groupName: groupNameSchema }),
  targetCapacity: capacitySchema,
});
export type Roles = z.infer<typeof rolesSchema>;
export type { Capacity };

/** A group and some target groups: the input of the attach, detach and detached-check steps. */
export const groupAndTargetGroupsShape = {
  groupName: groupNameSchema,
  targetGroupArns: z.array(targetGroupArnSchema).check(z.minLength(1, 'needs at least one target group ARN')),
};

/** What a step that takes a fleet's instances out of Standby reports (restore and retire the old fleet). */
export interface StandbyExit {
  groupName: string;
  /** How many Standby instances this run took out of Standby: 0 on a repeated run (I6). */
  exitedStandby: number;
}
