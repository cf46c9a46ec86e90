import * as z from 'zod/mini';
import { settingsSchema } from '../shared/settings';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({ settings: settingsSchema });
export type Input = z.infer<typeof InputSchema>;
