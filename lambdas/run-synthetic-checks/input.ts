import * as z from 'zod/mini';
import { amiIdSchema, syntheticChecksSchema } from '../shared/settings';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({ syntheticChecks: syntheticChecksSchema, amiId: amiIdSchema });
export type Input = z.infer<typeof InputSchema>;
