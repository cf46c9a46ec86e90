import * as z from 'zod/mini';
import { syntheticHeaderSchema, targetGroupsSchema } from '../shared/settings/fields';
import { alarmNamesSchema } from '../shared/settings/monitoring';

/**
 * What the state machine sends this step: the settings it checks, not the whole configuration (whose schema
 * alone costs a cold start some 15 ms). The definition's payload for it is type-checked against it.
 */
export const InputSchema = z.object({
  targetGroups: targetGroupsSchema,
  syntheticHeader: syntheticHeaderSchema,
  alarmNames: alarmNamesSchema,
});
export type Input = z.infer<typeof InputSchema>;
