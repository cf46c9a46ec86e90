import * as z from 'zod/mini';
import { groupNameSchema } from '../shared/settings/fields';
import { pollInputShape } from '../shared/wait';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({ groupName: groupNameSchema, ...pollInputShape });
export type Input = z.infer<typeof InputSchema>;
