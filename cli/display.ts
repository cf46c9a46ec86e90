import type { AccountSnapshot } from '../simulator/account/account';
import { DEFAULT_AMIS } from '../simulator/account/environment';
import {
  passed,
  THIRD_AMI,
  type ProgressView,
  type SimulationHooks,
  type SimulationReport,
} from '../simulator/engine/simulation';
import type { SimulationOptions } from '../simulator/scenarios/options';

const VERSION_LABELS: Record<string, string> = {
  [DEFAULT_AMIS.current]: 'v1',
  [DEFAULT_AMIS.next]: 'v2',
  [THIRD_AMI]: 'v3',
  [DEFAULT_AMIS.foreign]: 'foreign',
};

export function versionLabel(amiId: string): string {
  return VERSION_LABELS[amiId] ?? amiId;
}

export function clockTime(seconds: number): string {
  const s = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/**
 * The step list prints as it happens; the fleets and traffic every five virtual minutes, and when the
 * deployment moves on to a new step (at most every 30 virtual seconds).
 */
const STATUS_EVERY_SECONDS = 300;
const STATUS_ON_NEW_STEP_AFTER_SECONDS = 30;

/** Streams the deployment as it advances: each step, and every few virtual minutes the fleets and traffic. */
export class LiveDisplay {
  private lastStatusAt = -Infinity;
  private newStep = false;
  /** Requests each version had served at the last status: the next one shows the shares since. */
  private servedAtLastStatus: Record<string, number> = {};

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly options: SimulationOptions,
    private readonly quiet: boolean,
  ) {}

  hooks(): SimulationHooks {
    if (this.quiet) return {};
    this.out.write(
      `Simulating scenario "${this.options.scenario}" (seed ${this.options.seed}) in virtual time\n\n`,
    );
    return {
      onStateEntered: (state, at) => {
        if (/: (check|done\?|pause)$/.test(state) || state.endsWith(': complete')) return;
        this.out.write(`  ${clockTime(at)}  ${state}\n`);
        this.newStep = true;
      },
      onSecond: (view) => {
        const since = view.at - this.lastStatusAt;
        if (since < STATUS_EVERY_SECONDS && !(this.newStep && since >= STATUS_ON_NEW_STEP_AFTER_SECONDS))
          return;
        this.lastStatusAt = view.at;
        this.newStep = false;
        this.out.write(status(view, this.servedAtLastStatus));
        this.servedAtLastStatus = Object.fromEntries(
          Object.entries(view.requests.byVersion).map(([ami, counts]) => [ami, counts.served]),
        );
      },
    };
  }
}

/** Shown only when the fleet was short of capacity: every run under the defaults has none. */
function capacityErrors(requests: { capacityErrors: number }): string {
  return requests.capacityErrors > 0 ? `, ${requests.capacityErrors} capacity errors` : '';
}

/**
 * While both versions serve (a gradual shift's share baking, or the moment of the shift), each one's share
 * of the user requests served since the previous status; otherwise nothing.
 */
function sharesSince(view: ProgressView, before: Record<string, number>): string | undefined {
  const served = Object.entries(view.requests.byVersion)
    .map(([ami, counts]) => [ami, counts.served - (before[ami] ?? 0)] as const)
    .filter(([, count]) => count > 0);
  const total = served.reduce((sum, [, count]) => sum + count, 0);
  if (served.length < 2) return undefined;
  return served
    .map(([ami, count]) => `${versionLabel(ami)} ${((count / total) * 100).toFixed(1)}%`)
    .join(', ');
}

function status(view: ProgressView, servedBefore: Record<string, number>): string {
  const lines = [`  ${clockTime(view.at)}  ── status ──`];
  for (const line of fleetLines(view.account)) lines.push(`              ${line}`);
  const byVersion = Object.entries(view.requests.byVersion)
    .map(([ami, counts]) => `${versionLabel(ami)} ${counts.served}`)
    .join(', ');
  lines.push(
    `              requests: ${view.requests.total} sent, ${view.requests.failed} failed, ${view.requests.appErrors} app errors${capacityErrors(view.requests)} (${byVersion || 'none served'})`,
  );
  const shares = sharesSince(view, servedBefore);
  if (shares) lines.push(`              share of traffic since the last status: ${shares}`);
  if (view.windowProgress !== null)
    lines.push(`              rollback window ${progressBar(view.windowProgress)}`);
  return `${lines.join('\n')}\n`;
}

export function progressBar(fraction: number, width = 30): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(fraction * 100)}%`;
}

function fleetLines(account: AccountSnapshot): string[] {
  const healthByInstance = new Map<string, string[]>();
  for (const targetGroup of Object.values(account.targetGroups)) {
    for (const target of targetGroup.targets) {
      healthByInstance.set(target.id, [
        ...(healthByInstance.get(target.id) ?? []),
        `${target.state} in ${targetGroup.name}`,
      ]);
    }
  }
  return Object.values(account.groups).map((group) => {
    const live = group.instances.filter((instance) => instance.lifecycleState !== 'Terminated');
    const counts = new Map<string, number>();
    for (const instance of live) {
      const key = `${instance.lifecycleState} ${versionLabel(instance.amiId)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const health = new Map<string, number>();
    for (const instance of live) {
      for (const entry of healthByInstance.get(instance.id) ?? [])
        health.set(entry, (health.get(entry) ?? 0) + 1);
    }
    const describe = (map: Map<string, number>) =>
      [...map].map(([key, count]) => `${count} ${key}`).join(', ');
    return `${group.name.padEnd(14)} ${live.length === 0 ? 'empty' : describe(counts)}${health.size > 0 ? `; ${describe(health)}` : ''}`;
  });
}

/**
 * One line per entry of the report's trafficSteps: each version's share of user traffic while a share bakes
 * and during the window, named by execution when several executions have entries.
 */
export function trafficStepLines(report: Pick<SimulationReport, 'trafficSteps'>): string[] {
  const executions = new Set(report.trafficSteps.map((entry) => entry.execution));
  return report.trafficSteps.map((entry) => {
    const where = entry.step === 'window' ? 'in the window' : `at step ${entry.step}`;
    const shares = Object.entries(entry.byVersion)
      .map(([ami, { share }]) => `${versionLabel(ami)} ${(share * 100).toFixed(1)}%`)
      .join(', ');
    const of = `of ${entry.requests.toLocaleString('en-US')} requests`;
    return (
      `  traffic ${where} (${entry.state}, ${clockTime(entry.fromSecond)}–${clockTime(entry.toSecond)}): ` +
      `${shares ? `${shares} ${of}` : `no requests served`}${executions.size > 1 ? ` [${entry.execution}]` : ''}`
    );
  });
}

export function summary(report: SimulationReport): string {
  const ok = passed(report);
  const final = report.finalState;
  const lines = [
    '',
    `${ok ? 'PASS' : 'FAIL'}  scenario ${report.scenario}: ${report.outcome} (expected ${report.expectedOutcome})`,
    `      ${report.message}`,
  ];
  for (const execution of report.executions.slice(1)) {
    lines.push(
      `      ${execution.name}: ${execution.outcome} (expected ${execution.expectedOutcome}): ${execution.message}`,
    );
  }
  lines.push(
    '',
    `  active group       ${final.activeGroup ?? 'none'} on ${final.activeAmis.map(versionLabel).join(', ') || '-'} (${final.activeInstances} in service)`,
    `  standby group      ${final.standbyGroup ?? 'none'} (${final.standbyGroupSize} instances)`,
    `  attachments        ${Object.entries(final.attachments)
      .map(([group, targetGroups]) => `${group} → ${targetGroups.join(', ') || 'none'}`)
      .join('; ')}`,
    `  user requests      ${report.requests.total} sent, ${report.requests.failed} failed, ${report.requests.appErrors} application errors${capacityErrors(report.requests)}`,
    ...report.scalingActions.map(
      (action) =>
        `  scaling policy     ${clockTime(action.at)} ${action.groupName} ${action.from} → ${action.to} (${action.policyName})`,
    ),
    `  served by version  ${
      Object.entries(report.requests.byVersion)
        .map(([ami, counts]) => `${versionLabel(ami)} ${counts.served}`)
        .join(', ') || 'none'
    }`,
    ...trafficStepLines(report),
    `  invariants         ${report.invariantViolations.length === 0 ? 'all held (I1 I2 I4 I8)' : report.invariantViolations.map((v) => `${v.invariant} at ${clockTime(v.at)} in "${v.state}": ${v.message}`).join('; ')}`,
    `  simulated          ${clockTime(report.simulatedSeconds)} in ${report.realMs} ms real time`,
    `  work               ${report.stateTransitions} state transitions, ${report.lambdaInvocations} Lambda invocations, ${report.apiCalls.total} AWS calls`,
    '',
  );
  return lines.join('\n');
}
