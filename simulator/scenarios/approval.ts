import { KEY_STATES, pauseOf } from '../../lambdas/shared/contract';
import type { Outcome } from './options';
import type { Scenario } from './catalog';

/**
 * The approval gate (docs/design.md#approval-gate): the deployment waits before the production shift for
 * an operator's answer, a tag on the new group. Answered one second into the wait's first pause (the first
 * check saw none), or never, with a two-minute timeout.
 */
const gate = (
  name: string,
  description: string,
  expectedOutcome: Outcome,
  onTimeout: 'abort' | 'continue',
  answer?: 'approve' | 'rollback',
): Scenario => ({
  name,
  description,
  deployment: () => ({ approval: { timeoutMinutes: answer ? 30 : 2, onTimeout } }),
  runs: [
    {
      input: { amiId: '{next}' },
      expectedOutcome,
      ...(answer && {
        operatorRequest: { state: pauseOf(KEY_STATES.approval), group: 'webapp-green', request: answer },
      }),
    },
  ],
});

export const APPROVAL_SCENARIOS: readonly Scenario[] = [
  gate(
    'approval-given',
    'The deployment waits for approval before the shift; an operator approves (npm run ops -- approve): it shifts and succeeds.',
    'succeeded',
    'abort',
    'approve',
  ),
  gate(
    'approval-rejected',
    'The deployment waits for approval; an operator stops it instead (npm run ops -- abort): aborted, production untouched.',
    'aborted',
    'abort',
    'rollback',
  ),
  gate(
    'approval-timeout-abort',
    'Nobody answers within approval.timeoutMinutes, with onTimeout abort: aborted, production untouched.',
    'aborted',
    'abort',
  ),
  gate(
    'approval-timeout-continue',
    'Nobody answers within approval.timeoutMinutes, with onTimeout continue: it shifts without approval and succeeds.',
    'succeeded',
    'continue',
  ),
];
