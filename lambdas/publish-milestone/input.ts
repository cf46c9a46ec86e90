import * as z from 'zod/mini';
import { amiIdSchema } from '../shared/contract/schemas';
import { executionSchema, rolesSchema } from '../shared/types';

/** What every milestone is sent: who deploys what, and where to tell it. */
const common = {
  applicationName: z.string().check(z.minLength(1)),
  execution: executionSchema,
  amiId: amiIdSchema,
  roles: rolesSchema,
  notificationTopicArn: z.nullish(z.string()),
};

/**
 * What the state machine sends this step, one shape per milestone: the definition's payload for it is
 * type-checked against it. The outcome is not among them: the report step announces it.
 */
export const InputSchema = z.discriminatedUnion('milestone', [
  z.object({ milestone: z.literal('started'), ...common }),
  z.object({
    milestone: z.literal('new-version-ready'),
    ...common,
    /** The launch step's result: the version the new group launches. */
    release: z.object({ version: z.int() }),
  }),
  z.object({
    milestone: z.literal('approval-requested'),
    ...common,
    approval: z.object({
      timeoutMinutes: z.int().check(z.positive()),
      onTimeout: z.enum(['abort', 'continue']),
    }),
  }),
  z.object({
    milestone: z.literal('traffic-shifted'),
    ...common,
    rollbackWindowMinutes: z.int().check(z.minimum(0)),
  }),
  z.object({
    milestone: z.literal('window-passed'),
    ...common,
    /** The rollback window's last check (its loop's `$.wait`). */
    window: z.object({
      detail: z.string(),
      elapsedSeconds: z.number().check(z.minimum(0)),
      windowSeconds: z.number().check(z.minimum(0)),
    }),
    /** How long the old fleet is kept in Standby for an undo before it is retired (docs/design.md#keeping-fleets). */
    keepOldFleetMinutes: z.optional(z.int().check(z.minimum(0))),
  }),
]);
export type Input = z.infer<typeof InputSchema>;
