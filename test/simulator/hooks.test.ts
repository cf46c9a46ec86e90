import { KEY_STATES } from '../../lambdas/shared/contract';
import { DEFAULT_AMIS } from '../../simulator/account/environment';
import type { Principal } from '../../simulator/account/iam/principal';
import { simulate, type SimulationReport } from '../../simulator/engine/simulation';
import { findScenario } from '../../simulator/scenarios/catalog';
import { hookFunctionArn } from '../../simulator/scenarios/hooks';

/** Each scenario simulated once with seed 1 (a run is deterministic). */
const runs = new Map<string, Promise<SimulationReport>>();
const seedOne = (scenario: string) => {
  if (!runs.has(scenario)) runs.set(scenario, simulate({ scenario, seed: 1 }));
  return runs.get(scenario) as Promise<SimulationReport>;
};

/** When `state` was first entered, in virtual seconds. */
const enteredAt = (report: SimulationReport, state: string): number => {
  const entry = report.timeline.find((candidate) => candidate.state === state);
  if (!entry) throw new Error(`never entered ${state}`);
  return entry.at;
};
const entered = (report: SimulationReport, state: string) =>
  report.timeline.some((entry) => entry.state === state);

function expectCleanRun(report: SimulationReport, outcome: string): void {
  // A failed deployment is followed by its recovery, which finds the clean-up done (docs/recovery.md).
  const recovery = outcome === 'succeeded' ? [] : ['skipped'];
  expect(report.executions.map((execution) => execution.outcome)).toEqual([outcome, ...recovery]);
  expect(report.outcome).toBe(report.expectedOutcome);
  expect(report.requests.failed).toBe(0);
  expect(report.requests.total).toBeGreaterThan(0);
  expect(report.invariantViolations).toEqual([]);
}

describe('lifecycle hooks on the synthesized definition (docs/hooks.md)', () => {
  it('hook-pass: a hook at every stage passes, in stage order, and the deployment succeeds', async () => {
    const report = await seedOne('hook-pass');
    expectCleanRun(report, 'succeeded');
    expect(report.hookInvocations.map((invocation) => invocation.event.stage)).toEqual([
      'new-fleet-in-service',
      'test-traffic',
      'before-shift',
      'after-shift',
      'after-finish',
    ]);
    expect(report.finalState.activeGroup).toBe('webapp-green');
  });

  it('hook-pass: each hook is given the documented event', async () => {
    const report = await seedOne('hook-pass');
    const [execution] = report.executions;
    for (const invocation of report.hookInvocations) {
      const callback = invocation.event.stage === 'test-traffic';
      expect(invocation.event).toEqual({
        stage: invocation.event.stage,
        deploymentId: execution.name,
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:webapp-blue-green-deployment:${execution.name}`,
        amiId: DEFAULT_AMIS.next,
        newGroup: 'webapp-green',
        oldGroup: 'webapp-blue',
        targetGroups: {
          main: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-main/0123456789abcdef',
          synthetic: expect.stringMatching(/:targetgroup\/webapp-synthetic\//),
        },
        endpoint: expect.stringMatching(/^http:\/\//),
        syntheticHeader: { name: 'Synthetic', value: 'True' },
        ...(callback ? { taskToken: expect.stringMatching(/^AQB/) } : {}),
      });
    }
  });

  it('hook-pass: the callback hook answers through its task token; the deployment waits for it', async () => {
    const report = await seedOne('hook-pass');
    const callback = report.hookInvocations.find((invocation) => invocation.event.stage === 'test-traffic');
    expect(callback?.functionArn).toBe(hookFunctionArn('contract-tests'));
    expect(callback?.callbackAnswer).toBe('accepted');
    const waited =
      enteredAt(report, 'Check hook answer: test traffic (contract-tests)') -
      enteredAt(report, 'Run hook: test traffic (contract-tests)');
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(waited).toBeLessThan(47);
    // The test-traffic hook runs after the synthetic checks passed, before the version is announced ready.
    expect(enteredAt(report, 'Run synthetic checks')).toBeLessThanOrEqual(
      enteredAt(report, 'Run hook: test traffic (contract-tests)'),
    );
  });

  it('hook-fail-before-shift: aborted, production untouched, the reason in the report', async () => {
    const report = await seedOne('hook-fail-before-shift');
    expectCleanRun(report, 'aborted');
    expect(entered(report, KEY_STATES.shiftStarts)).toBe(false);
    expect(report.message).toContain(
      'Hook change-window (before production shift) failed: a change freeze is on until 18:00',
    );
    expect(report.finalState).toMatchObject({ activeGroup: 'webapp-blue', standbyGroupSize: 0 });
    // Hooks of later stages never ran.
    expect(report.hookInvocations.map((invocation) => invocation.event.stage)).toEqual([
      'new-fleet-in-service',
      'test-traffic',
      'before-shift',
    ]);
  });

  it('hook-fail-after-shift: rolled back, the old fleet healthy again before the new group leaves', async () => {
    const report = await seedOne('hook-fail-after-shift');
    expectCleanRun(report, 'rolled-back');
    expect(report.message).toContain('Hook announce-shift (after production shift) failed: TypeError:');
    expect(enteredAt(report, 'Wait until old targets are healthy in main target group')).toBeLessThan(
      enteredAt(report, 'Rollback: detach new group from target groups'),
    );
    // The hook ran beside the window's monitor (the new version served every request meanwhile).
    expect(entered(report, KEY_STATES.window)).toBe(true);
    expect(enteredAt(report, 'Run hook: after production shift (announce-shift)')).toBeGreaterThanOrEqual(
      enteredAt(report, KEY_STATES.window),
    );
    expect(report.finalState).toMatchObject({
      activeGroup: 'webapp-blue',
      activeAmis: [DEFAULT_AMIS.current],
    });
  });

  it('hook-timeout: a callback hook that never answers aborts after its timeout', async () => {
    const report = await seedOne('hook-timeout');
    expectCleanRun(report, 'aborted');
    const waited =
      enteredAt(report, 'Check hook answer: before production shift (change-window)') -
      enteredAt(report, 'Run hook: before production shift (change-window)');
    expect(waited).toBeGreaterThanOrEqual(120);
    expect(waited).toBeLessThan(122);
    expect(report.message).toContain('did not answer within 120 s');
    expect(entered(report, KEY_STATES.shiftStarts)).toBe(false);
  });

  it('hook-fail-after-finish: the release stands, reported as succeeded with the failed hook named', async () => {
    const report = await seedOne('hook-fail-after-finish');
    expectCleanRun(report, 'succeeded');
    expect(report.message).toMatch(
      /now serves all traffic from webapp-green; webapp-blue was scaled to zero\. But: Hook update-inventory \(after finish\) failed: the inventory service answered 503\.$/,
    );
    const outcome = report.events.find(
      (event) => (event.detail as { milestone?: string }).milestone === 'outcome',
    );
    expect(outcome?.detail).toMatchObject({
      outcome: 'succeeded',
      reason: 'Hook update-inventory (after finish) failed: the inventory service answered 503',
    });
  });

  it('a first deployment gives its hooks no old group (null)', async () => {
    const scenario = findScenario('hook-pass');
    const report = await simulate(
      { scenario: 'hook-pass', seed: 1 },
      {
        scenario: {
          ...scenario,
          name: 'hook-pass-bootstrap',
          environment: { ...scenario.environment, firstDeployment: true },
        },
      },
    );
    expectCleanRun(report, 'succeeded');
    expect(report.hookInvocations).toHaveLength(5);
    for (const invocation of report.hookInvocations) {
      expect(invocation.event).toMatchObject({ newGroup: 'webapp-blue', oldGroup: null });
    }
  }, 60_000);

  it('a callback that answers after the timeout is refused with TaskTimedOut; the deployment had aborted', async () => {
    const scenario = findScenario('hook-timeout');
    const late = {
      ...scenario,
      name: 'hook-answers-late',
      environment: {
        ...scenario.environment,
        hookFunctions: (scenario.environment?.hookFunctions ?? []).map((fn) =>
          fn.arn === hookFunctionArn('change-window')
            ? {
                ...fn,
                behaviour: { kind: 'answer-later' as const, afterSeconds: 200, result: 'pass' as const },
              }
            : fn,
        ),
      },
    };
    const report = await simulate({ scenario: 'hook-timeout', seed: 1 }, { scenario: late });
    expectCleanRun(report, 'aborted');
    expect(report.message).toContain('did not answer within 120 s');
    const answered = report.hookInvocations.find((invocation) => invocation.event.stage === 'before-shift');
    expect(answered?.callbackAnswer).toBe('TaskTimedOut');
  }, 60_000);

  it("a hook the state machine's role may not invoke fails its Task as AWS does: aborted, naming the grant", async () => {
    const withoutHookGrants = (role: Principal): Principal => ({
      ...role,
      policies: role.policies.map((policy) => ({
        ...policy,
        Statement: [policy.Statement]
          .flat()
          .filter((statement) => !JSON.stringify(statement).includes('warm-caches')),
      })),
    });
    const report = await simulate(
      { scenario: 'hook-pass', seed: 1 },
      { stateMachineRole: withoutHookGrants },
    );
    expect(report.outcome).toBe('aborted');
    expect(report.message).toContain(
      'Hook warm-caches (new fleet in service) failed: Lambda.AWSLambdaException: User: arn:aws:sts::123456789012:assumed-role/',
    );
    expect(report.message).toContain('is not authorized to perform: lambda:InvokeFunction');
    expect(report.hookInvocations).toEqual([]);
    expect(report.requests.failed).toBe(0);
    expect(report.invariantViolations).toEqual([]);
  }, 60_000);
});
