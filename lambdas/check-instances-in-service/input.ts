import * as z from 'zod/mini';
import { groupNameSchema } from '../shared/settings/fields';
import { pollInputShape } from '../shared/wait';

/** What the state machine sends this step: the definition's payload for it is type-checked against it. */
export const InputSchema = z.object({
  groupName: groupNameSchema,
  /** The group receiving the new version, whose operator request (tag) this wait honours. */
  operatorRequestGroup: z.optional(groupNameSchema),
  launchTemplateVersion: z.int().check(z.positive()),
  desiredCapacity: z.int().check(z.minimum(0)),
  /** When the launch step pointed the group at the version (ISO 8601): launches since then are this wait's. */
  launchedAt: z.optional(z.string()),
  ...pollInputShape,
});
export type Input = z.infer<typeof InputSchema>;
