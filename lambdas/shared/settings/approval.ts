import * as z from 'zod/mini';

/**
 * The approval gate (docs/design.md#approval-gate): before the production shift the deployment waits for an
 * operator to approve it (the operator-request tag `approve` on the new group: `npm run ops -- approve`),
 * looking every `checkEverySeconds`. An operator's `rollback` request aborts it. Unanswered after
 * `timeoutMinutes`, it aborts (production untouched) or goes on, as `onTimeout` says.
 */
export const approvalSchema = z.strictObject({
  /** Up to a day: an execution that waits longer holds the next release back (it waits its turn). */
  timeoutMinutes: z._default(z.int().check(z.minimum(1), z.maximum(1_440)), 60),
  onTimeout: z._default(z.enum(['abort', 'continue']), 'abort'),
  checkEverySeconds: z._default(z.int().check(z.minimum(10), z.maximum(300)), 30),
});
export type Approval = z.infer<typeof approvalSchema>;

/** The approval wait as every other wait is paced (state-machine/tasks.ts `poll`). */
export function approvalWait(approval: Approval): { intervalSeconds: number; timeoutSeconds: number } {
  return { intervalSeconds: approval.checkEverySeconds, timeoutSeconds: approval.timeoutMinutes * 60 };
}
