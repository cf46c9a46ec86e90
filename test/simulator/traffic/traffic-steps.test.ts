/**
 * The report's trafficSteps (simulator/traffic/traffic-steps.ts), from state entries and requests served
 * second by second, without a state machine: a gradual shift's bakes, the window, the after-shift hooks'
 * branch beside it, a rollback from a bake, a stop, several executions.
 */
import { KEY_STATES, SHIFT_STATES } from '../../../lambdas/shared/contract';
import { trafficStepLines } from '../../../cli/display';
import { trafficSteps, type StateEntry } from '../../../simulator/traffic';

const BAKE = SHIFT_STATES.bake;
const WINDOW = KEY_STATES.window;
const OLD = 'ami-old';
const NEW = 'ami-new';

/** Entries of one execution: `[at, state]` pairs. */
function entries(execution: string, ...states: [number, string][]): StateEntry[] {
  return states.map(([at, state]) => ({ execution, at, state }));
}

/** A polling loop entered at `from`, checked every `every` seconds until `to`, where `next` is entered. */
function loop(name: string, from: number, to: number, every: number): [number, string][] {
  const states: [number, string][] = [[from, name]];
  for (let at = from; at < to; at += every) {
    states.push([at, `${name}: check`], [at, `${name}: done?`]);
    if (at + every < to) states.push([at, `${name}: pause`]);
  }
  return states;
}

/** Per second from 0 to `seconds`: `old` and `new` requests each second in [from, to) of each span. */
function served(seconds: number, ...spans: [from: number, to: number, old: number, new_: number][]) {
  const old = new Array<number>(seconds).fill(0);
  const fresh = new Array<number>(seconds).fill(0);
  for (const [from, to, o, n] of spans) {
    for (let s = from; s < to; s++) {
      old[s] = o;
      fresh[s] = n;
    }
  }
  return { [OLD]: old, [NEW]: fresh };
}

describe('trafficSteps', () => {
  it('gives one entry per bake, numbered, and one for the window, with each version’s share', () => {
    const timeline = entries(
      'deploy-1',
      [0, SHIFT_STATES.plan],
      [10, SHIFT_STATES.step],
      ...loop(BAKE, 20, 80, 30),
      [80, SHIFT_STATES.more],
      [80, SHIFT_STATES.step],
      ...loop(BAKE, 90, 150, 30),
      [150, SHIFT_STATES.more],
      ...loop(WINDOW, 160, 400, 60),
      [400, 'Finish deployment'],
    );
    const perSecond = served(500, [0, 20, 10, 0], [20, 90, 9, 1], [90, 160, 5, 5], [160, 500, 0, 10]);
    expect(trafficSteps(timeline, perSecond, 500)).toEqual([
      {
        execution: 'deploy-1',
        state: BAKE,
        step: 1,
        fromSecond: 20,
        toSecond: 80,
        requests: 600,
        byVersion: { [NEW]: { served: 60, share: 0.1 }, [OLD]: { served: 540, share: 0.9 } },
      },
      {
        execution: 'deploy-1',
        state: BAKE,
        step: 2,
        fromSecond: 90,
        toSecond: 150,
        requests: 600,
        byVersion: { [NEW]: { served: 300, share: 0.5 }, [OLD]: { served: 300, share: 0.5 } },
      },
      {
        execution: 'deploy-1',
        state: WINDOW,
        step: 'window',
        fromSecond: 160,
        toSecond: 400,
        requests: 2400,
        byVersion: { [NEW]: { served: 2400, share: 1 } },
      },
    ]);
  });

  it('keeps the window open while the after-shift hooks’ branch enters states beside it', () => {
    const timeline = entries(
      'deploy-1',
      [100, WINDOW],
      [100, `${WINDOW}: check`],
      [100, 'Run after-shift hook load-test'],
      [100, `${WINDOW}: done?`],
      [100, `${WINDOW}: pause`],
      [130, 'Run after-shift hook load-test: done?'],
      [160, `${WINDOW}: check`],
      [160, `${WINDOW}: done?`],
      [160, `${WINDOW}: over`],
      [161, 'Finish deployment'],
    );
    const [window] = trafficSteps(timeline, served(200, [0, 200, 0, 2]), 200);
    expect(window).toMatchObject({ step: 'window', fromSecond: 100, toSecond: 160, requests: 120 });
  });

  it('ends a bake where its check failed into the rollback, and a stopped one at the end of the run', () => {
    const rolledBack = entries(
      'deploy-1',
      ...loop(BAKE, 20, 80, 30),
      [80, `${BAKE}: check`],
      [81, KEY_STATES.rollback],
    );
    expect(trafficSteps(rolledBack, served(100, [0, 100, 3, 1]), 100)).toMatchObject([
      { step: 1, fromSecond: 20, toSecond: 81, requests: 244 },
    ]);
    const stopped = entries('deploy-1', ...loop(BAKE, 20, 50, 30));
    expect(trafficSteps(stopped, served(100, [0, 100, 3, 1]), 100)).toMatchObject([
      { step: 1, fromSecond: 20, toSecond: 100, requests: 320 },
    ]);
  });

  it('counts a second’s requests from the state entered during the second before: shares to 3 decimals', () => {
    const timeline = entries('deploy-1', [9.4, BAKE], [9.4, `${BAKE}: check`], [12.5, 'Roll back']);
    // Seconds 10, 11 and 12: one request of each version and one more of the old.
    const perSecond = {
      [OLD]: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 2, 2, 2, 7],
      [NEW]: new Array<number>(14).fill(1),
    };
    expect(trafficSteps(timeline, perSecond, 14)).toEqual([
      {
        execution: 'deploy-1',
        state: BAKE,
        step: 1,
        fromSecond: 9.4,
        toSecond: 12.5,
        requests: 9,
        byVersion: { [NEW]: { served: 3, share: 0.333 }, [OLD]: { served: 6, share: 0.667 } },
      },
    ]);
  });

  it('numbers each execution’s bakes on their own, in the order they began; none served, no versions', () => {
    const timeline = [
      ...entries('first', ...loop(BAKE, 10, 40, 30), [40, 'Next']),
      ...entries('second', ...loop(BAKE, 20, 50, 30), [50, 'Next'], ...loop(BAKE, 60, 90, 30), [90, 'Next']),
    ];
    const steps = trafficSteps(timeline, {}, 100);
    expect(steps.map((step) => [step.execution, step.step, step.fromSecond, step.requests])).toEqual([
      ['first', 1, 10, 0],
      ['second', 1, 20, 0],
      ['second', 2, 60, 0],
    ]);
    expect(steps[0]?.byVersion).toEqual({});
  });

  it('gives nothing for an execution that never entered a measured loop', () => {
    const timeline = entries(
      'deploy-1',
      [0, KEY_STATES.validate],
      [1, 'Deployment rejected (nothing changed)'],
    );
    expect(trafficSteps(timeline, served(10, [0, 10, 1, 0]), 10)).toEqual([]);
  });
});

describe('the summary’s line for each entry (cli/display.ts)', () => {
  const entry = (execution: string, step: number | 'window', from: number, to: number) => ({
    execution,
    state: step === 'window' ? WINDOW : BAKE,
    step,
    fromSecond: from,
    toSecond: to,
    requests: 3000,
    byVersion: { [NEW]: { served: 300, share: 0.1 }, [OLD]: { served: 2700, share: 0.9 } },
  });

  it('names the step, the loop, its times and each version’s share (in the report’s order: by AMI)', () => {
    expect(trafficStepLines({ trafficSteps: [entry('deploy-1', 1, 720, 1020)] })).toEqual([
      `  traffic at step 1 (${BAKE}, 00:12:00–00:17:00): ${NEW} 10.0%, ${OLD} 90.0% of 3,000 requests`,
    ]);
  });

  it('names the execution when several have entries, and says when nothing was served', () => {
    const quiet = { ...entry('deploy-2', 'window', 60, 120), requests: 0, byVersion: {} };
    expect(trafficStepLines({ trafficSteps: [entry('deploy-1', 'window', 0, 60), quiet] })).toEqual([
      `  traffic in the window (${WINDOW}, 00:00:00–00:01:00): ${NEW} 10.0%, ${OLD} 90.0% of 3,000 requests [deploy-1]`,
      `  traffic in the window (${WINDOW}, 00:01:00–00:02:00): no requests served [deploy-2]`,
    ]);
  });
});
