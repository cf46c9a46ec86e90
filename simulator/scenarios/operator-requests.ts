import { KEY_STATES, pauseOf } from '../../lambdas/shared/contract';
import type { Scenario } from './catalog';

/**
 * An operator asks to stop a deployment during a wait (docs/design.md#operator-requests-at-any-phase): one second into the wait's first
 * pause, so the first check saw no request and the next one must.
 */
export const ABORT_SCENARIOS: readonly Scenario[] = (
  [
    ['new-instances', KEY_STATES.newInstancesInService, 'aborted'],
    ['synthetic-health', KEY_STATES.syntheticTargetsHealthy, 'aborted'],
    ['main-targets-healthy', 'Wait until new targets are healthy in main target group', 'rolled-back'],
    ['old-fleet-standby', KEY_STATES.oldFleetInStandby, 'rolled-back'],
    ['window', KEY_STATES.window, 'rolled-back'],
  ] as const
).map(([name, wait, expectedOutcome]): Scenario => ({
  name: `abort-during-${name}`,
  description: `An operator asks to stop the deployment during "${wait}": ${
    expectedOutcome === 'aborted'
      ? 'aborted, production untouched'
      : 'rolled back, the old fleet serves again'
  }.`,
  runs: [
    {
      input: { amiId: '{next}' },
      expectedOutcome,
      operatorRequest: { state: pauseOf(wait), group: 'webapp-green' },
    },
  ],
}));
