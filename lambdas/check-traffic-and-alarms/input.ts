import * as z from 'zod/mini';
import { syntheticHeaderSchema, targetGroupsSchema } from '../shared/settings/fields';
import { alarmNamesSchema } from '../shared/settings/monitoring';
import { shiftModeSchema, shiftSplitSchema } from '../shared/settings/shift';

/**
 * What the state machine sends this step: the settings it checks, not the whole configuration (whose schema
 * alone costs a cold start some 15 ms). The definition's payload for it is type-checked against it.
 */
export const InputSchema = z.object({
  targetGroups: targetGroupsSchema,
  syntheticHeader: syntheticHeaderSchema,
  alarmNames: alarmNamesSchema,
  /** How traffic will move: a split by weight needs listeners it can weight and restore. */
  shift: z.object({ mode: shiftModeSchema, split: shiftSplitSchema }),
  /** The deadlines of the waits a target group's draining lengthens. */
  waits: z.object({
    oldFleetInStandby: z.object({ timeoutSeconds: z.int().check(z.positive()) }),
    targetGroupsDetached: z.object({ timeoutSeconds: z.int().check(z.positive()) }),
  }),
});
export type Input = z.infer<typeof InputSchema>;
