import { ANNOUNCED_ONCE, RECOVERY_FOUND_NOTHING } from '../support/rejection-calls';
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  KEY_STATES,
  milestoneDetailSchema,
  RECOVERY_STATES,
  type Milestone,
} from '../../lambdas/shared/contract';
import { DEFAULT_AMIS } from '../../simulator/account/environment';
import {
  FOURTH_AMI,
  OLD_AMI,
  passed,
  simulate,
  THIRD_AMI,
  type SimulationReport,
} from '../../simulator/engine/simulation';
import { findScenario, SCENARIOS } from '../../simulator/scenarios/catalog';

interface ExpectedFinalState {
  activeGroup: string;
  ami: string;
  instances: number;
  /** A stopped execution leaves the old fleet parked in Standby and attached: nothing cleaned it up. */
  leftHalfway?: boolean;
}

const BLUE = 'webapp-blue';
const GREEN = 'webapp-green';
const unchanged: ExpectedFinalState = { activeGroup: BLUE, ami: DEFAULT_AMIS.current, instances: 3 };
const deployed: ExpectedFinalState = { activeGroup: GREEN, ami: DEFAULT_AMIS.next, instances: 3 };

/** What the account must look like after each scenario, whichever way it went. */
const EXPECTED: Record<string, ExpectedFinalState> = {
  happy: deployed,
  bootstrap: { activeGroup: BLUE, ami: DEFAULT_AMIS.next, instances: 3 },
  'bootstrap-alarm': { activeGroup: BLUE, ami: DEFAULT_AMIS.next, instances: 3 },
  'synthetic-fail': unchanged,
  'never-healthy': unchanged,
  'alarm-rollback': unchanged,
  throttled: deployed,
  'duplicate-lambdas': deployed,
  'large-fleet': { activeGroup: GREEN, ami: DEFAULT_AMIS.next, instances: 500 },
  'not-our-ami': unchanged,
  'already-serving': unchanged,
  'bad-input': unchanged,
  'not-an-object': unchanged,
  concurrent: deployed,
  'stopped-then-redeploy': { ...deployed, leftHalfway: true },
  'stopped-then-recovered': { activeGroup: GREEN, ami: THIRD_AMI, instances: 3 },
  'second-deployment': { activeGroup: BLUE, ami: THIRD_AMI, instances: 3 },
  'leftover-suspended-processes': deployed,
  'stale-operator-request': deployed,
  'abort-during-new-instances': unchanged,
  'abort-during-synthetic-health': unchanged,
  'abort-during-old-fleet-standby': unchanged,
  'abort-during-main-targets-healthy': unchanged,
  'abort-during-window': unchanged,
  'approval-given': deployed,
  'foreign-ami-during-keep': deployed,
  'undo-after-finish-hook-failed': { activeGroup: BLUE, ami: DEFAULT_AMIS.current, instances: 3 },
  'undo-after-recovered-finish': { activeGroup: GREEN, ami: DEFAULT_AMIS.next, instances: 3 },
  'promote-then-keep': deployed,
  'approval-rejected': unchanged,
  'approval-timeout-abort': unchanged,
  'approval-timeout-continue': deployed,
  'encrypted-notifications': deployed,
  'missing-alarm': unchanged,
  'instance-role-not-granted': unchanged,
  'missing-target-group': unchanged,
  'no-header-rule': unchanged,
  'launch-suspended': unchanged,
  'instance-refresh-running': unchanged,
  'late-tags': deployed,
  'untagged-ami': unchanged,
  'copied-old-ami': unchanged,
  'reenabled-old-ami': unchanged,
  'redeploy-old-release': { activeGroup: GREEN, ami: OLD_AMI, instances: 3 },
  'foreign-event-then-pipeline': { activeGroup: GREEN, ami: THIRD_AMI, instances: 3 },
  'event-and-pipeline': deployed,
  'release-during-deployment': { activeGroup: BLUE, ami: FOURTH_AMI, instances: 3 },
  'image-builder': deployed,
  'hook-pass': deployed,
  'hook-fail-before-shift': unchanged,
  'hook-fail-after-shift': unchanged,
  'hook-timeout': unchanged,
  'hook-fail-after-finish': deployed,
  'undo-full': unchanged,
  'undo-fast': unchanged,
  'keep-old-fleet-expires': deployed,
  'release-during-keep': { activeGroup: BLUE, ami: THIRD_AMI, instances: 3 },
  'keep-failed-fleet': unchanged,
  'keep-failed-fleet-released': unchanged,
  'team-suspended-processes': deployed,
  'mixed-instances': deployed,
  'protected-instances': deployed,
  'protected-instances-rollback': unchanged,
  'lifecycle-hooks': deployed,
  'lifecycle-hook-abandons': unchanged,
  'lifecycle-hook-outlasts-wait': unchanged,
  'warm-pool': unchanged,
  // Sized by load: production scaled to 6 before the shift; the new group's policy at the end of the window.
  'scale-out-during-prepare': { ...deployed, instances: 6 },
  'scale-out-during-window': { ...deployed, instances: 5 },
  'rollback-after-scale-out': { ...unchanged, instances: 7 },
  'daily-peak': { ...deployed, instances: 9 },
  // Ten instances a side (simulator/scenarios/gradual-shift.ts).
  canary: { ...deployed, instances: 10 },
  'canary-by-weight': { ...deployed, instances: 10 },
  linear: { ...deployed, instances: 10 },
  'linear-by-weight': { ...deployed, instances: 10 },
  'canary-rollback': { ...unchanged, instances: 10 },
  'canary-rollback-by-weight': { ...unchanged, instances: 10 },
  'slower-version': { ...unchanged, instances: 10 },
  'slower-version-by-weight': { ...unchanged, instances: 10 },
  'slower-version-no-comparison': { ...deployed, instances: 10 },
  'slower-version-by-weight-no-comparison': { ...deployed, instances: 10 },
};

/** Each scenario simulated once with seed 1 and shared by the tests that read it (a run is deterministic). */
const runs = new Map<string, Promise<SimulationReport>>();
function seedOne(scenario: string, stopAt?: string): Promise<SimulationReport> {
  const key = `${scenario} ${stopAt ?? ''}`;
  if (!runs.has(key)) runs.set(key, simulate({ scenario, seed: 1, stopAt }));
  return runs.get(key) as Promise<SimulationReport>;
}

describe.each(SCENARIOS.map((scenario) => [scenario.name]))(
  'scenario %s on the synthesized definition',
  (name) => {
    let report: SimulationReport;

    beforeAll(async () => {
      report = await seedOne(name);
    }, 60_000);

    it('ends every execution with the expected outcome', () => {
      expect(report.executions.map((execution) => [execution.outcome, execution.message])).toEqual(
        report.executions.map((execution) => [execution.expectedOutcome, expect.any(String)]),
      );
    });

    it('no capacity error: the serving fleet was never too small for its users', () => {
      expect(report.requests.capacityErrors).toBe(0);
    });

    it('I1: no user request failed (zero downtime)', () => {
      expect(report.requests.failed).toBe(0);
      if (name !== 'bad-input' && name !== 'not-our-ami') expect(report.requests.total).toBeGreaterThan(0);
    });

    // A recovery that found nothing to recover (one follows every failed deployment) says nothing.
    const quiet = () =>
      new Set(
        report.timeline
          .filter((entry) => entry.state === RECOVERY_STATES.nothing)
          .map((entry) => entry.execution),
      );
    const endedAloud = () =>
      report.executions.filter((execution) => execution.stoppedAt === null && !quiet().has(execution.name));

    it('tells the notification topic about every execution that ran to an end', () => {
      const ended = endedAloud();
      // At least once: a step invoked twice (duplicate-lambdas) may tell the topic twice; none is lost.
      expect(report.notificationsDelivered).toBeGreaterThanOrEqual(Math.max(1, ended.length));
    });

    it('announces every milestone it went through, on the topic and on the default event bus', () => {
      for (const { milestones } of report.executions) {
        expect(milestones.events).toEqual(expect.arrayContaining(milestones.expected));
        expect(milestones.notifications).toEqual(expect.arrayContaining(milestones.expected));
      }
      // Every execution that ran to an end announced its outcome, at least.
      for (const execution of endedAloud()) expect(execution.milestones.expected).toContain('outcome');
      for (const execution of report.executions.filter(({ name }) => quiet().has(name))) {
        expect(execution.milestones).toEqual({ expected: [], events: [], notifications: [] });
      }
    });

    it('puts milestone events as docs/events.md documents them: source, detail-type, detail', () => {
      expect(report.events.length).toBeGreaterThan(0);
      for (const event of report.events) {
        const detail = milestoneDetailSchema.parse(event.detail);
        expect(event.source).toBe(EVENT_SOURCE);
        expect(event.detailType).toBe(DETAIL_TYPES[detail.milestone]);
        expect(event.time).toBe(detail.at);
        if (detail.execution.arn) expect(event.resources).toEqual([detail.execution.arn]);
      }
    });

    it('violates no invariant (I1, I2, I4, I8 watched every virtual second)', () => {
      expect(report.invariantViolations).toEqual([]);
    });

    it('leaves one group serving on the right AMI, the other empty, nothing in Standby, no stray attachment', () => {
      const expected = EXPECTED[name];
      const standby = expected.activeGroup === BLUE ? GREEN : BLUE;
      const serving = {
        activeGroup: expected.activeGroup,
        activeAmis: [expected.ami],
        activeInstances: expected.instances,
      };
      expect(report.finalState).toEqual(
        expected.leftHalfway
          ? {
              ...serving,
              standbyGroup: standby,
              standbyGroupSize: 3,
              attachments: {
                [expected.activeGroup]: ['webapp-synthetic', 'webapp-main'],
                [standby]: ['webapp-main'],
              },
              standbyInstances: 3,
            }
          : {
              ...serving,
              standbyGroup: standby,
              standbyGroupSize: 0,
              attachments: { [expected.activeGroup]: ['webapp-main'], [standby]: [] },
              standbyInstances: 0,
            },
      );
    });
  },
);

describe('scenario specifics', () => {
  it.each(['untagged-ami', 'copied-old-ami', 'reenabled-old-ami'])(
    '%s: an AMI event for what is not a new release of this application is skipped, saying why, and changes nothing',
    async (name) => {
      const report = await seedOne(name);
      const changing = Object.keys(report.apiCalls.byOperation).filter(
        (operation) =>
          !/:(Describe|List|Get)/.test(operation) && !['sns:Publish', 'events:PutEvents'].includes(operation),
      );
      expect(changing).toEqual([]);
      expect(report.executions.map((execution) => execution.message)).toEqual([
        name === 'untagged-ami'
          ? expect.stringMatching(
              /no tag Application=webapp \(its tags were awaited for 300 s: waits\.amiTags\)/,
            )
          : expect.stringMatching(
              /not newer than ami-0a1b2c3d4e5f60001 \("webapp-1\.0\.0"\), which serves.*start the deployment from the pipeline/,
            ),
      ]);
    },
  );

  it("event-and-pipeline: one deployment of the AMI, the pipeline's, with its overrides", async () => {
    const report = await seedOne('event-and-pipeline');
    const [event, pipeline] = report.executions;
    expect(event.message).toMatch(/is already being deployed by execution .* started by a pipeline/);
    expect(pipeline.message).toMatch(/now serves all traffic/);
    // The pipeline's 30-minute window, not the configured 60: the window's first and last checks.
    const window = report.timeline.filter((entry) => entry.state === `${KEY_STATES.window}: check`);
    expect((window[window.length - 1].at - window[0].at) / 60).toBeCloseTo(30, 0);
  });

  it("late-tags: waits for the new AMI's tags before judging it, then deploys it", async () => {
    const report = await seedOne('late-tags');
    const states = report.timeline.map((entry) => entry.state);
    expect(states).toContain("Wait for the AMI's tags: pause");
    expect(states.filter((state) => state === KEY_STATES.validate)).toHaveLength(2);
  });

  it('alarm-rollback: errors are the bad version’s own, counted apart from downtime, and the old AMI serves again', async () => {
    const report = await seedOne('alarm-rollback');
    expect(report.requests.byVersion[DEFAULT_AMIS.next].appErrors).toBeGreaterThan(0);
    expect(report.requests.byVersion[DEFAULT_AMIS.current].appErrors).toBe(0);
    expect(report.message).toMatch(/webapp-target-5xx/);
    const states = report.timeline.map((entry) => entry.state);
    expect(states.indexOf('Roll back to the old version')).toBeGreaterThan(
      states.indexOf('Monitor new version during rollback window'),
    );
    // The new group drains from its target groups before scale-in terminates its instances.
    const detach = states.indexOf('Rollback: detach new group from target groups');
    const drained = states.indexOf('Rollback: wait until new group has left target groups');
    expect(detach).toBeGreaterThan(states.indexOf('Roll back to the old version'));
    expect(drained).toBeGreaterThan(detach);
    expect(states.indexOf('Rollback: scale new group to zero')).toBeGreaterThan(drained);
  });

  it('happy: all five milestones, in order, on the topic and the bus; the outcome event is the report', async () => {
    const report = await seedOne('happy');
    const all: Milestone[] = ['started', 'new-version-ready', 'traffic-shifted', 'window-passed', 'outcome'];
    expect(report.executions[0].milestones).toEqual({ expected: all, events: all, notifications: all });
    const details = report.events.map((event) => milestoneDetailSchema.parse(event.detail));
    expect(details.map((detail) => detail.milestone)).toEqual(all);
    // Announced as they happen: the new version is ready before the shift, which comes before the window.
    const at = (state: string) => report.timeline.find((entry) => entry.state === state)?.at ?? -1;
    const times = details.map((detail) => Date.parse(detail.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(at('Milestone: new version ready')).toBeLessThanOrEqual(at(KEY_STATES.shiftStarts));
    expect(at('Milestone: traffic shifted')).toBeLessThanOrEqual(at(KEY_STATES.window));
    for (const detail of details) {
      expect(detail).toMatchObject({
        application: 'webapp',
        amiId: DEFAULT_AMIS.next,
        newGroup: GREEN,
        previousGroup: BLUE,
        firstDeployment: false,
        execution: { name: report.executions[0].name },
      });
    }
    expect(details[2]).toMatchObject({ milestone: 'traffic-shifted', rollbackWindowMinutes: 60 });
    expect(details[3]).toMatchObject({ milestone: 'window-passed', promoted: false, elapsedSeconds: 3600 });
    // The outcome event carries the report step's report, less whether the topic was told.
    expect(details[4]).toMatchObject({
      milestone: 'outcome',
      outcome: 'succeeded',
      activeGroup: GREEN,
      previousGroup: BLUE,
      reason: null,
      message: report.message,
    });
  });

  it.each([
    ['synthetic-fail', ['started', 'outcome']],
    ['abort-during-new-instances', ['started', 'outcome']],
    // Rolled back while the old fleet entered Standby: the new version never served every request.
    ['abort-during-old-fleet-standby', ['started', 'new-version-ready', 'outcome']],
    ['alarm-rollback', ['started', 'new-version-ready', 'traffic-shifted', 'outcome']],
    ['bootstrap-alarm', ['started', 'new-version-ready', 'traffic-shifted', 'outcome']],
    ['missing-alarm', ['outcome']],
  ])('%s: announces %j, never a milestone it did not reach', async (name, milestones) => {
    const report = await seedOne(name);
    expect(report.executions[0].milestones).toEqual({
      expected: milestones,
      events: milestones,
      notifications: milestones,
    });
    const outcome = milestoneDetailSchema.parse(report.events[report.events.length - 1].detail);
    expect(outcome).toMatchObject({
      milestone: 'outcome',
      outcome: report.executions[0].outcome,
      message: report.executions[0].message,
    });
  });

  it('concurrent: the later execution is refused by the guard and changes nothing', async () => {
    const report = await seedOne('concurrent');
    expect(report.executions[1].message).toMatch(/deploying|in progress|running/i);
    expect(
      report.timeline.filter((entry) => entry.state === 'Launch new version on standby group'),
    ).toHaveLength(1);
  });

  it('bad-input: the rejection names the field and the fix', async () => {
    const report = await seedOne('bad-input');
    expect(report.message).toMatch(/amiId: must be "ami-" followed by 8 or 17 lowercase hex digits/);
    // I8: the only calls announce the outcome; nothing in the account is read or changed.
    // The recovery its failure starts (docs/recovery.md) reads the executions, finds the clean-up done and
    // says nothing; nothing else is read or changed.
    expect(report.apiCalls.byOperation).toEqual({ ...ANNOUNCED_ONCE, ...RECOVERY_FOUND_NOTHING });
    expect(report.executions[0].milestones.events).toEqual(['outcome']);
  });

  it('already-serving: nothing to do, said so, and not one changing call (I8)', async () => {
    const report = await seedOne('already-serving');
    expect(report.message).toMatch(/^Nothing to do for webapp: ami-0a1b2c3d4e5f60001 already serves/);
    const changing = Object.keys(report.apiCalls.byOperation).filter(
      (operation) =>
        !/:(Describe|List|Get)/.test(operation) && !['sns:Publish', 'events:PutEvents'].includes(operation),
    );
    expect(changing).toEqual([]);
    const states = report.timeline.map((entry) => entry.state);
    // What would block any deployment is refused first, for the AMI that serves too (an instance refresh
    // about to replace it, a suspended Launch, a firing alarm); only then is it nothing to do.
    expect(states.indexOf('Check the load balancer and alarms')).toBeGreaterThan(-1);
    expect(states.indexOf('Check the load balancer and alarms')).toBeLessThan(
      states.indexOf('Check the groups can take this deployment'),
    );
    expect(states.indexOf('Check the groups can take this deployment')).toBeLessThan(
      states.indexOf('Check whether this AMI already serves'),
    );
    expect(states).toContain('Nothing to do (this AMI already serves)');
  });

  it.each([
    [
      'abort-during-new-instances',
      'Wait until new instances are in service',
      'Attach new group to synthetic target group',
    ],
    [
      'abort-during-synthetic-health',
      'Wait until new targets are healthy in synthetic target group',
      'Run synthetic checks',
    ],
    ['abort-during-old-fleet-standby', 'Wait until old fleet is in standby', KEY_STATES.window],
  ])(
    '%s: the request is honoured by the wait it was made in, the next step never runs',
    async (name, wait, next) => {
      const report = await seedOne(name);
      const states = report.timeline.map((entry) => entry.state);
      // The request comes one second into the first pause: the first check saw none, the next one stops.
      expect(states.filter((state) => state === `${wait}: check`)).toHaveLength(2);
      expect(states).not.toContain(next);
      expect(report.message).toMatch(/An operator asked to stop the deployment/);
      const cleanUp =
        name === 'abort-during-old-fleet-standby' ? KEY_STATES.rollback : 'Abort: remove the new version';
      expect(states.indexOf(cleanUp)).toBeGreaterThan(states.lastIndexOf(`${wait}: check`));
      // Before the shift, production is never touched: the new group never reaches the main target group.
      if (name !== 'abort-during-old-fleet-standby') expect(states).not.toContain(KEY_STATES.shiftStarts);
    },
  );

  it('I7: the execution payload does not grow with the fleet (3 vs 500 instances)', async () => {
    const small = await seedOne('happy');
    const large = await seedOne('large-fleet');
    expect(large.maxPayloadBytes).toBeLessThanOrEqual(small.maxPayloadBytes + 32);
    expect(large.maxPayloadBytes).toBeLessThan(16 * 1024);
    expect(large.stateTransitions).toBeLessThan(small.stateTransitions * 1.5);
    // EnterStandby and ExitStandby take at most 20 instances a call: 500 instances, 25 calls each.
    expect(large.apiCalls.byOperation['autoscaling:EnterStandby']).toBe(25);
  }, 60_000);

  it('--stop-at "Put old fleet in standby": stopped before the old fleet moved, both fleets serve, users unaffected', async () => {
    const report = await simulate({ scenario: 'happy', seed: 1, stopAt: 'Put old fleet in standby' });
    expect(passed(report)).toBe(true);
    expect(report.finalState).toMatchObject({ standbyInstances: 0, activeInstances: 3 });
    expect(report.requests.failed).toBe(0);
  }, 60_000);

  it('a run expected to stop at one state does not pass when it stopped at another', async () => {
    const report = await seedOne('happy', 'Run synthetic checks');
    expect(
      passed({
        ...report,
        executions: [{ ...report.executions[0], expectedStopAt: 'Put old fleet in standby' }],
      }),
    ).toBe(false);
  }, 60_000);

  it('stopped-then-redeploy: the refusal says how to recover; the report names the group that serves', async () => {
    const report = await seedOne('stopped-then-redeploy');
    expect(report.executions[0].message).toMatch(
      /stopped in state "Monitor new version during rollback window"/,
    );
    expect(report.executions[1].message).toMatch(/aws autoscaling/);
    expect(report.finalState.activeGroup).toBe('webapp-green');
  }, 60_000);

  it('an instance refresh about to replace the fleet refuses even the AMI that serves, not "nothing to do"', async () => {
    // The refresh changes the group's template only once it succeeds: until then the serving AMI looks
    // current, yet the fleet is about to be replaced.
    const refreshing = findScenario('instance-refresh-running');
    const report = await simulate(
      { scenario: refreshing.name, seed: 1 },
      {
        scenario: {
          ...refreshing,
          runs: [{ input: { amiId: '{current}' }, expectedOutcome: 'rejected' }],
        },
      },
    );
    // Then its recovery, which finds its clean-up done.
    expect(report.executions.map((execution) => execution.outcome)).toEqual(['rejected', 'skipped']);
    expect(report.message).toMatch(/instance refresh/i);
    expect(report.requests.failed).toBe(0);
  });

  it('the same seed replays the same run', async () => {
    const [first, second] = [await seedOne('throttled'), await simulate({ scenario: 'throttled', seed: 1 })];
    const comparable = (report: SimulationReport) => ({ ...report, realMs: 0, synthesisMs: 0 });
    expect(comparable(second)).toEqual(comparable(first));
  });

  it('--stop-at leaves the execution stopped mid-way, as StopExecution does, and reports it as failed', async () => {
    const report = await seedOne('happy', 'Run synthetic checks');
    expect(report.outcome).toBe('failed');
    expect(report.expectedOutcome).toBe('failed');
    expect(report.message).toMatch(/stopped in state "Run synthetic checks"/);
    expect(report.executions[0]).toMatchObject({
      stoppedAt: 'Run synthetic checks',
      expectedStopAt: 'Run synthetic checks',
    });
    expect(report.requests.failed).toBe(0);
  });
});
