import * as z from 'zod';
import { groupNameSchema } from '../shared/settings';
import { pollInputShape } from '../shared/wait';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  groupName: groupNameSchema,
  /** The group receiving the new version, whose operator request (tag) this wait honours. */
  operatorRequestGroup: groupNameSchema.optional(),
  launchTemplateVersion: z.number().int().positive(),
  desiredCapacity: z.number().int().min(0),
  ...pollInputShape,
});
export type Input = z.infer<typeof InputSchema>;
