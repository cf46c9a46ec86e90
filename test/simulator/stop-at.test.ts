import { passed, simulate, workflowFor } from '../../simulator/engine/simulation';
import { stateTypes } from '../../simulator/engine/step-functions-service';

/**
 * Issue 8, finding 6: `--stop-at STATE` is StopExecution as the deployment enters STATE, whatever its type:
 * the execution ends stopped in exactly that state, nothing after it runs (no Lambda of a later Task is
 * invoked, so no change the monitor could misjudge), and users are unaffected. Issue 12, item 4: its status
 * change then starts a recovery, which ends as docs/recovery.md promises and leaves the account settled
 * (one version serving, the other group at zero and detached), users served throughout. One state of each
 * type here; every state of the definition: `npm run check:stops` (cli/check-stops.ts).
 */
const workflow = workflowFor({ scenario: 'happy', seed: 1 });
const types = stateTypes(workflow.asl);
const tasks = new Set(workflow.stepByState.keys());

describe('--stop-at on the synthesized definition', () => {
  it.each([
    ['Task', 'Find the active and standby groups'],
    ['Task', 'Put old fleet in standby'],
    ['Choice', 'Is there an old fleet to stand down?'],
    ['Choice', 'Wait until new instances are in service: done?'],
    ['Parallel', 'Shift traffic and monitor'],
    ['Parallel', 'Prepare the new version (production untouched)'],
    ['Wait', 'Let simultaneous starts become visible'],
    ['Wait', 'Wait until new instances are in service: pause'],
    ['Pass', 'Wait until standby group is empty'],
    ['Pass', 'Monitor new version during rollback window'],
  ])(
    'stopped as it enters a %s ("%s"): ends there, nothing after it ran',
    async (type, state) => {
      expect(types.get(state)).toBe(type);

      const report = await simulate({ scenario: 'happy', seed: 1, windowMinutes: 5, stopAt: state });

      expect(passed(report)).toBe(true);
      const [deployment, recovery] = report.executions;
      expect(deployment).toMatchObject({ outcome: 'failed', stoppedAt: state, expectedStopAt: state });
      const entered = report.timeline
        .filter((entry) => entry.execution === deployment.name)
        .map((entry) => entry.state);
      expect(entered[entered.length - 1]).toBe(state);
      expect(entered.filter((name) => name === state)).toHaveLength(1);
      // One Lambda per Task entered before the stop (no faults, no duplicates): none at or after it.
      expect(deployment.lambdaInvocations).toBe(
        entered.slice(0, -1).filter((name) => tasks.has(name)).length,
      );
      expect(recovery.startedBy).toMatchObject({ rule: expect.stringContaining('RecoverStoppedDeployment') });
      expect(recovery.outcome).toBe(recovery.expectedOutcome);
      expect(report.unsettled).toEqual([]);
      expect(report.invariantViolations).toEqual([]);
      expect(report.requests.failed).toBe(0);
    },
    60_000,
  );

  it('refuses to stop in a Succeed or Fail state (it is left as it is entered) or in no state', async () => {
    expect(types.get('Deployment succeeded')).toBe('Succeed');
    await expect(simulate({ scenario: 'happy', seed: 1, stopAt: 'Deployment succeeded' })).rejects.toThrow(
      /a Succeed state is left as it is entered/,
    );
    await expect(
      simulate({ scenario: 'bad-input', seed: 1, stopAt: 'Deployment rejected (nothing changed)' }),
    ).rejects.toThrow(/a Fail state is left as it is entered/);
    await expect(simulate({ scenario: 'happy', seed: 1, stopAt: 'Run synthetic check' })).rejects.toThrow(
      /no state of that name/,
    );
    // Refused before anything was set up: the next run has the clock and the account to itself.
    expect(passed(await simulate({ scenario: 'bad-input', seed: 1 }))).toBe(true);
  }, 60_000);
});
