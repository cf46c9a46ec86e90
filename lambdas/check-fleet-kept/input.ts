import * as z from 'zod/mini';
import { groupNameSchema, MAX_KEEP_MINUTES } from '../shared/settings';
import { executionSchema } from '../shared/types';
import { waitInputSchema } from '../shared/wait';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  /** The group whose operator-request tag is read: the new version's group. */
  requestGroup: groupNameSchema,
  /** The fleet kept: the old group (an undo) or the failed new group (debugging). */
  keptGroup: groupNameSchema,
  /** `undo`: the old fleet, which an undo puts back in service; `debug`: a failed new fleet. */
  purpose: z.enum(['undo', 'debug']),
  keepSeconds: z.int().check(z.positive(), z.maximum(MAX_KEEP_MINUTES * 60)),
  /** This execution: any other one running is a newer deployment, which ends the keep. */
  execution: z.pick(executionSchema, { id: true, stateMachineArn: true }),
  wait: waitInputSchema,
});
export type Input = z.infer<typeof InputSchema>;
