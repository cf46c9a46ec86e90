import * as z from 'zod/mini';
import { groupAndTargetGroupsShape } from '../shared/types';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.strictObject({
  ...groupAndTargetGroupsShape,
});
export type Input = z.infer<typeof InputSchema>;
