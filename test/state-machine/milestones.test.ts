import {
  KEY_STATES,
  MILESTONE_STATES,
  SHIFT_STATES,
  type ProgressMilestone,
} from '../../lambdas/shared/contract';
import { logger } from '../../lambdas/shared/logger';
import { SimulatedAccount } from '../../simulator/account/account';
import { DEFAULT_AMIS, defaultEnvironment } from '../../simulator/account/environment';
import type { PolicyStatement } from '../../simulator/account/iam/policy-evaluation';
import { VirtualClock } from '../../simulator/engine/clock';
import { loadHandlers, prepareHandlers } from '../../simulator/engine/handlers';
import { outcomeOf, simulate, workflowFor } from '../../simulator/engine/simulation';
import { LocalStepFunctions } from '../../simulator/engine/step-functions-service';
import { cachedWorkflow } from '../../simulator/engine/workflow-cache';
import { simulatedDeployment } from '../support/simulated-deployment';

/**
 * The milestone states in the synthesized definition (docs/events.md): where each one runs, what it is sent,
 * and that no failure of theirs can turn a deployment into an abort, a rollback or a failed execution.
 */
interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Parameters?: Record<string, unknown>;
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
  Choices?: { Next: string }[];
  Default?: string;
  Branches?: { StartAt: string; States: Record<string, AslState> }[];
}

/** Every state by name, with the Parallel state (phase) it belongs to, if any. */
function statesOf(
  states: Record<string, AslState>,
  phase: string | null = null,
): Map<string, AslState & { phase: string | null }> {
  const found = new Map<string, AslState & { phase: string | null }>();
  for (const [name, state] of Object.entries(states)) {
    found.set(name, { ...state, phase });
    for (const branch of state.Branches ?? []) {
      for (const [inner, innerState] of statesOf(branch.States, name)) found.set(inner, innerState);
    }
  }
  return found;
}

const asl = workflowFor({ scenario: 'happy', seed: 1 }).asl as unknown as {
  States: Record<string, AslState>;
};
const states = statesOf(asl.States);
const stateIn = (all: typeof states) => (name: string) => {
  const found = all.get(name);
  if (!found) throw new Error(`no state "${name}"`);
  return found;
};
const state = stateIn(states);
// With an approval gate (docs/design.md#approval-gate): the one milestone only it announces.
const gated = stateIn(
  statesOf(
    (
      workflowFor({ scenario: 'approval-given', seed: 1 }).asl as unknown as {
        States: Record<string, AslState>;
      }
    ).States,
  ),
);
const PREPARE = 'Prepare the new version (production untouched)';
const SHIFT = 'Shift traffic and monitor';

describe('milestones in the synthesized definition', () => {
  it('announces each progress milestone from one state of the publish-milestone step, in the phase it closes or opens', () => {
    expect(state(MILESTONE_STATES.started)).toMatchObject({ Type: 'Task', phase: PREPARE });
    expect((asl.States[PREPARE].Branches ?? [])[0].StartAt).toBe(MILESTONE_STATES.started);
    expect(state(MILESTONE_STATES['new-version-ready']).phase).toBe(PREPARE);
    expect(state('Run synthetic checks').Next).toBe(MILESTONE_STATES['new-version-ready']);
    // The capacity match ends the phase, just before the shift (docs/design.md#capacity).
    expect(state(MILESTONE_STATES['new-version-ready']).Next).toBe(
      "Match new fleet to production's capacity",
    );
    expect(state('Wait until added targets are healthy in synthetic target group: done?').Default).toBe(
      `${PREPARE}: complete`,
    );
    // Traffic shifted: once the old fleet is in Standby and, by weight, the listeners forward to the main
    // target group alone again (or, on a first deployment, there is no old fleet).
    expect(state(MILESTONE_STATES['traffic-shifted']).phase).toBe(SHIFT);
    expect(state('Wait until old fleet is in standby: done?').Default).toBe('Were the listeners weighted?');
    expect(state('Were the listeners weighted?').Default).toBe(MILESTONE_STATES['traffic-shifted']);
    expect(state(SHIFT_STATES.restoreListeners).Next).toBe(MILESTONE_STATES['traffic-shifted']);
    expect(state('Is there an old fleet to stand down?').Choices?.[0].Next).toBe(
      MILESTONE_STATES['traffic-shifted'],
    );
    expect(state(MILESTONE_STATES['traffic-shifted']).Next).toBe(KEY_STATES.window);
    expect(state(`${KEY_STATES.window}: done?`).Default).toBe(MILESTONE_STATES['window-passed']);
    expect(state(MILESTONE_STATES['window-passed']).Next).toBe(`${SHIFT}: complete`);
    expect(states.has(MILESTONE_STATES['approval-requested'])).toBe(false);
    // With the gate: asked once the new version is ready, then waited for, last in the prepare phase.
    expect(gated(MILESTONE_STATES['new-version-ready']).Next).toBe(MILESTONE_STATES['approval-requested']);
    expect(gated(MILESTONE_STATES['approval-requested'])).toMatchObject({
      phase: PREPARE,
      Next: KEY_STATES.approval,
    });
    expect(gated(`${KEY_STATES.approval}: done?`).Default).toBe("Match new fleet to production's capacity");
  });

  it.each(Object.entries(MILESTONE_STATES) as [ProgressMilestone, string][])(
    '%s: any failure goes on as "(not announced)" to where success goes, never to the phase’s clean-up',
    (_milestone, name) => {
      const announce = gated(name);
      expect(announce.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], Next: `${name} (not announced)`, ResultPath: null },
      ]);
      expect(gated(`${name} (not announced)`)).toMatchObject({ Type: 'Pass', Next: announce.Next });
    },
  );

  it('sends each milestone who deploys what, and what it adds: the release, the window, its last check', () => {
    const common = {
      applicationName: 'webapp',
      'execution.$': '$.execution',
      'amiId.$': '$.amiId',
      'roles.$': '$.roles',
      notificationTopicArn: expect.stringMatching(/^arn:aws:sns:/),
    };
    expect(state(MILESTONE_STATES.started).Parameters).toEqual({ milestone: 'started', ...common });
    expect(state(MILESTONE_STATES['new-version-ready']).Parameters).toEqual({
      milestone: 'new-version-ready',
      ...common,
      'release.$': '$.release',
    });
    expect(state(MILESTONE_STATES['traffic-shifted']).Parameters).toEqual({
      milestone: 'traffic-shifted',
      ...common,
      'rollbackWindowMinutes.$': '$.settings.monitoring.rollbackWindowMinutes',
    });
    expect(state(MILESTONE_STATES['window-passed']).Parameters).toEqual({
      milestone: 'window-passed',
      ...common,
      'window.$': '$.wait',
    });
    expect(gated(MILESTONE_STATES['approval-requested']).Parameters).toEqual({
      milestone: 'approval-requested',
      ...common,
      approval: { timeoutMinutes: 30, onTimeout: 'abort' },
    });
    // Their results are dropped: the state payload does not grow (I7).
    for (const name of Object.values(MILESTONE_STATES))
      expect(gated(name)).toMatchObject({ ResultPath: null });
  });

  it('every ending announces the outcome with the execution’s ARN', () => {
    const reports = [...states].filter(([name]) => name.startsWith('Report: '));
    expect(reports.length).toBeGreaterThanOrEqual(7);
    for (const [, report] of reports) {
      expect(report.Parameters).toMatchObject({ 'executionArn.$': '$$.Execution.Id' });
    }
  });
});

describe('a milestone that cannot be announced never fails, delays or rolls back a deployment', () => {
  it('its grants taken away: the deployment succeeds, only the outcome is announced', async () => {
    const denyAnnouncements: PolicyStatement = {
      Effect: 'Deny',
      Action: ['events:PutEvents', 'sns:Publish'],
      Resource: '*',
    };
    const report = await simulate(
      { scenario: 'happy', seed: 1, windowMinutes: 5 },
      {
        grants: (principals) => {
          const reduced = new Map(principals);
          const principal = principals.get('publish-milestone');
          if (principal) {
            reduced.set('publish-milestone', {
              ...principal,
              policies: [...principal.policies, { Statement: [denyAnnouncements] }],
            });
          }
          return reduced;
        },
      },
    );
    expect(report.executions[0]).toMatchObject({ outcome: 'succeeded' });
    expect(report.executions[0].milestones.events).toEqual(['outcome']);
    expect(report.requests.failed).toBe(0);
    expect(report.invariantViolations).toEqual([]);
  }, 60_000);

  it('its Lambda failing on every invocation: each milestone goes on as "(not announced)" and the deployment succeeds', async () => {
    const environment = defaultEnvironment();
    const deployment = simulatedDeployment(environment);
    const workflow = cachedWorkflow(
      { ...deployment, monitoring: { ...deployment.monitoring, rollbackWindowMinutes: 5 } },
      environment.region,
      environment.accountId,
    );
    await prepareHandlers();
    logger.setLogLevel('SILENT');
    const handlers = loadHandlers();
    const crashing = {
      ...handlers,
      'publish-milestone': () =>
        Promise.reject(Object.assign(new Error('out of memory'), { name: 'Runtime.ExitError' })),
    };
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    const account = new SimulatedAccount(environment, { seed: 1 });
    const service = new LocalStepFunctions(workflow, crashing, {
      elapsedSeconds: () => clock.elapsedSeconds(),
    });
    const realFetch = globalThis.fetch;
    try {
      account.install();
      service.install(account);
      globalThis.fetch = account.fetch.bind(account) as typeof fetch;
      const execution = service.start({ amiId: DEFAULT_AMIS.next });
      for (let second = 0; execution.status === 'RUNNING' && second < 4 * 3600; second++) {
        account.tick();
        await clock.advance(1000);
      }
      await execution.finished;
      expect(outcomeOf(execution)).toBe('succeeded');
      const entered = execution.timeline.map((entry) => entry.state);
      // Every milestone but the approval gate's (none here).
      for (const name of Object.values(MILESTONE_STATES).filter((name) => states.has(name)))
        expect(entered).toContain(`${name} (not announced)`);
      expect(entered).not.toContain(KEY_STATES.rollback);
      expect(entered).not.toContain('Abort: remove the new version');
      expect(account.publishedEvents.map((event) => event.detail.milestone)).toEqual(['outcome']);
    } finally {
      globalThis.fetch = realFetch;
      service.uninstall();
      account.uninstall();
      clock.uninstall();
    }
  }, 60_000);
});
