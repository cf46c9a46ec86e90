import type { Scenario } from './catalog';

/**
 * An operator asks to stop a deployment during a wait (docs/design.md#operator-requests-at-any-phase): one second into the wait's first
 * pause, so the first check saw no request and the next one must.
 */
export const ABORT_SCENARIOS: readonly Scenario[] = (
  [
    ['new-instances', 'Wait until new instances are in service', 'aborted'],
    ['synthetic-health', 'Wait until new targets are healthy in synthetic target group', 'aborted'],
    ['old-fleet-standby', 'Wait until old fleet is in standby', 'rolled-back'],
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
      operatorRequest: { state: `${wait}: pause`, group: 'webapp-green' },
    },
  ],
}));
