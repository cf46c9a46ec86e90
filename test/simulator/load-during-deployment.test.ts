/**
 * Load during whole simulated deployments: a fleet too small for its traffic shows as capacity errors in the
 * report (and the run does not pass), and the account owner's actions during a run (`ownerActions`).
 */
import {
  AutoScalingClient,
  DescribePoliciesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { KEY_STATES } from '../../lambdas/shared/contract';
import { passed, simulate } from '../../simulator/engine/simulation';
import { findScenario } from '../../simulator/scenarios/catalog';

describe('load in a simulated deployment', () => {
  it('traffic above the fleet capacity is reported as capacity errors, not failed requests, and fails the run', async () => {
    const happy = findScenario('happy');
    const report = await simulate(
      { scenario: 'happy', seed: 1, windowMinutes: 5 },
      {
        scenario: {
          ...happy,
          name: 'happy-overloaded',
          // 15 a second on 3 instances of 4: every instance is over capacity the whole run.
          environment: { ...happy.environment, capacity: { capacityPerInstance: 4 } },
          traffic: { kind: 'constant', requestsPerSecond: 15 },
        },
      },
    );
    expect(report.requests.failed).toBe(0);
    expect(report.requests.capacityErrors).toBeGreaterThan(0);
    expect(passed(report)).toBe(false);
    expect(passed({ ...report, requests: { ...report.requests, capacityErrors: 0 } })).toBe(
      report.executions.every((execution) => execution.outcome === execution.expectedOutcome),
    );
  }, 60_000);

  const happy = findScenario('happy');
  const region = 'us-east-1';
  /** The happy deployment with a 5-minute window, and the owner doing `act` a minute into the window. */
  const withOwnerAction = (
    name: string,
    act: () => Promise<void>,
    onSecond?: (desired: number, at: number) => void,
  ) =>
    simulate(
      { scenario: 'happy', seed: 1, windowMinutes: 5 },
      {
        scenario: {
          ...happy,
          name,
          runs: [{ ...happy.runs[0], ownerActions: [{ state: KEY_STATES.window, afterSeconds: 60, act }] }],
        },
        onSecond: (view) => onSecond?.(view.account.groups['webapp-green']?.desired ?? 0, view.at),
      },
    );

  it('an owner action runs once, as its run enters the state, and its calls are not the orchestrator’s', async () => {
    const at: number[] = [];
    let now = 0;
    const report = await withOwnerAction(
      'happy-owner-reads-policies',
      async () => {
        at.push(now + 1); // the second after the last one reported
        await new AutoScalingClient({ region }).send(new DescribePoliciesCommand({}));
      },
      (_desired, at) => {
        now = at;
      },
    );
    const window = report.timeline.find((entry) => entry.state === KEY_STATES.window)?.at ?? NaN;
    expect(at).toHaveLength(1);
    expect(at[0]).toBeGreaterThanOrEqual(window + 60);
    expect(at[0]).toBeLessThanOrEqual(window + 61);
    expect(Object.keys(report.apiCalls.byOperation)).not.toContain('autoscaling:DescribePolicies');
    expect(passed(report)).toBe(true);
  }, 60_000);

  // Issue 10 (see test/simulator/account/unhealthy-host-count.test.ts): the simulated group registered the
  // instances of a scale-out as they launched, so they turned unhealthy while they booted, the unhealthy-hosts
  // alarm fired and a good version was rolled back.
  it('an owner scaling the new fleet out during the window does not roll a good version back', async () => {
    const desired: number[] = [];
    const report = await withOwnerAction(
      'happy-owner-scales-new-fleet',
      async () => {
        await new AutoScalingClient({ region }).send(
          new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'webapp-green', DesiredCapacity: 5 }),
        );
      },
      (value) => desired.push(value),
    );
    expect(desired).toContain(5);
    expect(report.executions[0]?.outcome).toBe('succeeded');
    expect(report.finalState.activeInstances).toBe(5);
  }, 60_000);
});
