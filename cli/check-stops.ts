/**
 * StopExecution at every state, measured: for each state of the synthesized definition, runs a scenario that
 * reaches it with the deployment stopped as it enters it (`--stop-at`), and checks that the deployment ends
 * stopped in exactly that state with nothing after it run (every Lambda it invoked belongs to a Task entered
 * before it); that the recovery its status change starts (docs/recovery.md) ends as promised; that the
 * account ends settled (one version serving, the other group at zero and detached: simulator/engine/
 * settled.ts); and that no invariant was violated and no user request failed, stop and recovery included.
 * Succeed and Fail states must be refused (they are left as they are entered). `npm run check:stops`
 * (a minute or two; the unit suite stops at one state of each type: test/simulator/stop-at.test.ts).
 */
import './node-warnings'; // first: silences the SDK's Node-version notice before any client exists
import '../simulator/engine/polyfills';
import { passed, simulate, workflowFor } from '../simulator/engine/simulation';
import { stateTypes } from '../simulator/engine/step-functions-service';
import type { SimulationOptions } from '../simulator/scenarios/options';

/** Runs that, between them, pass through every state a scenario can reach (short windows: faster). */
const ROUTES: readonly SimulationOptions[] = [
  { scenario: 'happy', seed: 1, windowMinutes: 5 },
  { scenario: 'happy', seed: 1, windowMinutes: 5, alarmAt: 1 },
  { scenario: 'synthetic-fail', seed: 1 },
  { scenario: 'bad-input', seed: 1 },
  { scenario: 'missing-alarm', seed: 1 },
  { scenario: 'not-our-ami', seed: 1 },
  { scenario: 'bootstrap', seed: 1, windowMinutes: 5 },
  { scenario: 'bootstrap', seed: 1, windowMinutes: 5, alarmAt: 1 },
  { scenario: 'already-serving', seed: 1 },
  { scenario: 'copied-old-ami', seed: 1 },
  { scenario: 'late-tags', seed: 1, windowMinutes: 5 },
  { scenario: 'happy', seed: 1, windowMinutes: 5, failHealth: true },
  // Their definitions have states the others lack: the approval gate, the lifecycle hooks.
  { scenario: 'approval-given', seed: 1, windowMinutes: 5 },
  { scenario: 'approval-timeout-abort', seed: 1 },
  { scenario: 'hook-pass', seed: 1, windowMinutes: 5 },
  { scenario: 'hook-fail-after-shift', seed: 1 },
  { scenario: 'hook-fail-after-finish', seed: 1, windowMinutes: 5 },
  { scenario: 'keep-old-fleet-expires', seed: 1, windowMinutes: 5 },
  { scenario: 'undo-fast', seed: 1, windowMinutes: 5 },
  { scenario: 'keep-failed-fleet', seed: 1 },
  { scenario: 'keep-failed-fleet-released', seed: 1 },
  // A gradual shift's loop: by weight first (the listeners weighted, then restored), then by instances
  // (the shares' waits and the park), and a rollback from a bake by weight (the listeners restored first).
  { scenario: 'canary-by-weight', seed: 1, windowMinutes: 5 },
  { scenario: 'canary', seed: 1, windowMinutes: 5 },
  { scenario: 'canary-rollback-by-weight', seed: 1 },
];

const label = (options: SimulationOptions) =>
  Object.entries(options)
    .filter(([key]) => key !== 'seed')
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');

async function main(): Promise<void> {
  const started = performance.now();
  // Every state of every route's definition (the gate and the hooks are there only when configured), and
  // the first route whose definition has it.
  const types = new Map<string, string>();
  const definedIn = new Map<string, SimulationOptions>();
  const tasks = new Set<string>();
  for (const route of ROUTES) {
    const workflow = workflowFor(route);
    for (const [state, type] of stateTypes(workflow.asl)) {
      if (!types.has(state)) definedIn.set(state, route);
      types.set(state, type);
    }
    for (const task of workflow.stepByState.keys()) tasks.add(task);
  }

  const routeOf = new Map<string, SimulationOptions>();
  for (const route of ROUTES) {
    const report = await simulate(route);
    if (!passed(report)) throw new Error(`the route "${label(route)}" fails without a stop`);
    // The deployment's own states: a stop lands in the run's first execution (a recovery runs to its end).
    const first = report.executions[0].name;
    for (const { state, execution } of report.timeline) {
      if (execution === first && !routeOf.has(state)) routeOf.set(state, route);
    }
  }

  const problems: string[] = [];
  const unreached: string[] = [];
  const recoveries = new Map<string, number>();
  let stopped = 0;
  for (const [state, type] of types) {
    const route = routeOf.get(state);
    if (type === 'Succeed' || type === 'Fail') {
      const refused = await simulate({ ...(definedIn.get(state) ?? ROUTES[0]), stopAt: state }).then(
        () => false,
        (error: Error) => /state is left as it is entered/.test(error.message),
      );
      console.log(`  ${refused ? 'refused ' : 'ACCEPTED'} ${type.padEnd(8)} ${state}`);
      if (!refused) problems.push(`${state}: a stop in a ${type} state was not refused`);
      continue;
    }
    if (!route) {
      console.log(`  unreached ${type.padEnd(8)} ${state} (no route reaches it)`);
      unreached.push(state);
      continue;
    }
    const report = await simulate({ ...route, stopAt: state });
    const [deployment, ...after] = report.executions;
    const timeline = report.timeline
      .filter((entry) => entry.execution === deployment.name)
      .map((entry) => entry.state);
    const ranBefore = timeline.slice(0, -1).filter((entered) => tasks.has(entered)).length;
    const wrong = [
      !passed(report) && `did not pass (${report.outcome}, expected ${report.expectedOutcome})`,
      ...report.executions
        .filter((execution) => execution.outcome !== execution.expectedOutcome)
        .map(
          (execution) =>
            `${execution.name} ended ${execution.outcome}, expected ${execution.expectedOutcome}`,
        ),
      deployment.stoppedAt !== state && `stopped at "${deployment.stoppedAt}"`,
      timeline[timeline.length - 1] !== state && `last entered "${timeline[timeline.length - 1]}"`,
      deployment.lambdaInvocations !== ranBefore &&
        `${deployment.lambdaInvocations} Lambda invocations for ${ranBefore} Tasks entered before it`,
      after.length === 0 && 'no recovery started',
      ...report.unsettled.map((problem) => `unsettled: ${problem}`),
      ...report.invariantViolations.map((v) => `${v.invariant} at ${v.at} s in "${v.state}": ${v.message}`),
      report.requests.failed > 0 && `${report.requests.failed} failed requests`,
    ].filter((problem): problem is string => typeof problem === 'string');
    recoveries.set(after[0]?.outcome ?? 'none', (recoveries.get(after[0]?.outcome ?? 'none') ?? 0) + 1);
    stopped++;
    console.log(
      `  ${wrong.length === 0 ? 'ok      ' : 'WRONG   '} ${type.padEnd(8)} ${state}  [${label(route)}]`,
    );
    for (const problem of wrong) {
      console.log(`             ${problem}`);
      problems.push(`${state}: ${problem}`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const byOutcome = [...recoveries].map(([outcome, count]) => `${count} ${outcome}`).join(', ');
  console.log(
    `\n${types.size} states: ${stopped} stopped in (recoveries: ${byOutcome}), ${types.size - stopped - unreached.length} terminal (refused), ${unreached.length} reached by no route; ${problems.length} problem${problems.length === 1 ? '' : 's'} (${seconds} s).`,
  );
  process.exitCode = problems.length > 0 ? 1 : 0;
}

void main();
