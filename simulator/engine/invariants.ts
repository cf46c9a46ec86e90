import { KEY_STATES, SHIFT_STATES, SUSPENDED_BY_DEPLOYMENT_TAG } from '../../lambdas/shared/contract';

/**
 * Watches the invariants (docs/design.md#invariants) while a simulated deployment runs, from the account's
 * state each virtual second and the state the execution is in: I1 (never empty), I2 (production untouched
 * until proven), I4 (old fleet warm and out of the main target group) and I8 (rejected means unchanged).
 */

export interface InstanceView {
  id: string;
  lifecycleState: string;
}
export interface GroupView {
  name: string;
  min: number;
  desired: number;
  max: number;
  launchTemplate?: { id: string; version: string } | null;
  instances: InstanceView[];
  trafficSources: { identifier: string; state: string }[];
  suspendedProcesses?: string[];
  tags?: Record<string, string>;
}
export interface TargetGroupView {
  targets: { id: string; state: string }[];
}
export interface AccountView {
  groups: Record<string, GroupView>;
  targetGroups: Record<string, TargetGroupView>;
  /** The production listener's default actions (a rejected deployment must leave them as they were). */
  listener?: { defaultActions: unknown[] };
}

export type InvariantId = 'I1' | 'I2' | 'I4' | 'I8';

export interface InvariantViolation {
  invariant: InvariantId;
  /** Seconds of virtual time since the simulation started. */
  at: number;
  state: string | null;
  message: string;
}

/** States that mark the deployment's phases (state-machine/definition.ts). */
const SHIFT_STARTS = KEY_STATES.shiftStarts;
const WINDOW_STARTS = KEY_STATES.window;
const ROLLBACK_STARTS = KEY_STATES.rollback;
const FINISH_STARTS = KEY_STATES.finish;

export class InvariantMonitor {
  readonly violations: InvariantViolation[] = [];
  private readonly reported = new Set<string>();
  private readonly activeGroup: string | null;
  private readonly initialActiveInstances: ReadonlySet<string>;
  private readonly activeTemplate: { id: string; version: string } | null;
  private readonly recordedProcesses: ReadonlySet<string>;
  private readonly accountSignature: string;
  private servedBefore: boolean;
  private readonly reached = new Set<string>();

  /**
   * `between`: watches an operator's commands between two deployments, where production may change by
   * design: only I1 applies.
   */
  constructor(
    initial: AccountView,
    private readonly mainTargetGroupArn: string,
    private readonly watching: 'deployment' | 'between' = 'deployment',
  ) {
    const active = Object.values(initial.groups).find((group) => servesMain(group, mainTargetGroupArn));
    this.activeGroup = active?.name ?? null;
    this.initialActiveInstances = new Set(active?.instances.map((instance) => instance.id) ?? []);
    this.activeTemplate = active?.launchTemplate ?? null;
    this.recordedProcesses = new Set(
      (active?.tags?.[SUSPENDED_BY_DEPLOYMENT_TAG] ?? '').split(',').filter((process) => process !== ''),
    );
    this.accountSignature = accountSignature(initial);
    this.servedBefore = healthyTargets(initial, mainTargetGroupArn) > 0;
  }

  /** Records that the execution entered a state (phases are one-way: reached stays reached). */
  stateEntered(state: string): void {
    this.reached.add(state);
  }

  observe(account: AccountView, state: string | null, at: number): void {
    const healthy = healthyTargets(account, this.mainTargetGroupArn);
    const firstDeploymentRollback = this.activeGroup === null && this.reached.has(ROLLBACK_STARTS);
    if (this.servedBefore && healthy === 0 && !firstDeploymentRollback) {
      this.report('I1', at, state, 'the main target group has no healthy target: users get errors');
    }
    this.servedBefore ||= healthy > 0;
    if (this.watching === 'between') return;

    const parked =
      this.activeGroup !== null && this.reached.has(WINDOW_STARTS) && !this.reached.has(ROLLBACK_STARTS);
    if (parked && !this.reached.has(FINISH_STARTS)) {
      const group = account.groups[this.activeGroup as string];
      const standby = new Set(group.instances.filter((i) => i.lifecycleState === 'Standby').map((i) => i.id));
      if ([...this.initialActiveInstances].some((id) => !standby.has(id))) {
        this.report(
          'I4',
          at,
          state,
          `an instance of the old fleet (${this.activeGroup}) left Standby during the rollback window`,
        );
      }
    }
    // Through the window and the finish (which takes the old fleet out of Standby to retire it), no old
    // instance may be registered with the main target group again: only a rollback brings it back.
    if (parked) {
      const registered = (account.targetGroups[this.mainTargetGroupArn]?.targets ?? []).filter(
        (target) => target.state !== 'draining' && this.initialActiveInstances.has(target.id),
      );
      if (registered.length > 0) {
        this.report(
          'I4',
          at,
          state,
          `old instance ${registered[0].id} is registered with the main target group`,
        );
      }
    }
  }

  /**
   * I2: before the shift starts, no call of the orchestrator's changes production: the active group, its
   * launch template, the main target group or the listener. Judged on the orchestrator's own calls, not on
   * the account's state, because production may change on its own meanwhile (a scaling policy, Auto Scaling
   * replacing an instance, the team scaling it out) and the deployment must follow that, not prevent it.
   */
  orchestratorChanged(operation: string, input: unknown, at: number, state: string | null): void {
    if (this.watching === 'between' || this.reached.has(SHIFT_STARTS)) return;
    // A gradual shift starts with its first share (docs/design.md#gradual-shift); its plan, just before,
    // only reads, so any change after the plan is the shift's.
    if (this.reached.has(SHIFT_STATES.step) || this.reached.has(SHIFT_STATES.plan)) return;
    if (READ_ONLY.test(operation)) return;
    // The engine reports a state's entry a little after it happened, so the shift's first call can come
    // before its state is known: attaching the new group to the main target group once prepare is complete
    // is the shift starting.
    if (this.reached.has(PREPARE_COMPLETE) && attachesToMain(operation, input, this.mainTargetGroupArn)) {
      this.reached.add(SHIFT_STARTS);
      return;
    }
    const touched = productionTouched(operation, input as Record<string, unknown>, {
      activeGroup: this.activeGroup,
      activeTemplate: this.activeTemplate,
      instances: this.initialActiveInstances,
      recordedProcesses: this.recordedProcesses,
      main: this.mainTargetGroupArn,
    });
    if (touched) {
      this.report('I2', at, state, `${operation} changed ${touched} before synthetic checks passed`);
    }
  }

  /** I8: a rejected, skipped or nothing-to-do deployment leaves the account exactly as it found it. */
  checkUnchanged(final: AccountView, at: number): void {
    if (accountSignature(final) !== this.accountSignature) {
      this.report('I8', at, null, 'a rejected deployment changed the account');
    }
  }

  private report(invariant: InvariantId, at: number, state: string | null, message: string): void {
    // One report per invariant and message: a violation usually lasts many seconds.
    const key = `${invariant}:${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.violations.push({ invariant, at, state, message });
  }
}

const READ_ONLY = /:(Describe|List|Get)/;
const PREPARE_COMPLETE = `${KEY_STATES.prepare}: complete`;

function attachesToMain(operation: string, input: unknown, main: string): boolean {
  if (!/:Attach(TrafficSources|LoadBalancerTargetGroups)$/.test(operation)) return false;
  return targetGroupsNamed(input as Record<string, unknown>).includes(main);
}

/** The target groups a call names, whichever API family it comes from. */
function targetGroupsNamed(input: Record<string, unknown>): unknown[] {
  const sources = (input.TrafficSources ?? []) as { Identifier?: string }[];
  return [
    ...sources.map((source) => source.Identifier),
    ...((input.TargetGroupARNs ?? []) as string[]),
    input.TargetGroupArn,
  ];
}

/** What production resource a changing call names, if any. */
interface Production {
  activeGroup: string | null;
  /** The active group's launch template and the version it names (`$Latest`, `$Default` or a number). */
  activeTemplate: { id: string; version: string } | null;
  /** Instances production had when the run started. */
  instances: ReadonlySet<string>;
  /** Processes a deployment recorded as suspended by it on the active group (SUSPENDED_BY_DEPLOYMENT_TAG). */
  recordedProcesses: ReadonlySet<string>;
  main: string;
}

function productionTouched(
  operation: string,
  input: Record<string, unknown>,
  production: Production,
): string | undefined {
  if (restoresRecordedProcesses(operation, input, production)) return undefined;
  const groupName = input.AutoScalingGroupName;
  if (production.activeGroup !== null && groupName === production.activeGroup) return production.activeGroup;
  if (operation === 'autoscaling:CreateOrUpdateTags' || operation === 'autoscaling:DeleteTags') {
    const tags = (input.Tags ?? []) as { ResourceId?: string }[];
    if (tags.some((tag) => tag.ResourceId === production.activeGroup)) return production.activeGroup ?? '';
  }
  // An instance of production named by id (TerminateInstanceInAutoScalingGroup, SetInstanceHealth,
  // SetInstanceProtection, EnterStandby on another group's name…).
  const ids = [...((input.InstanceIds ?? []) as string[]), input.InstanceId];
  const instance = ids.find((id) => typeof id === 'string' && production.instances.has(id));
  if (instance) return `production instance ${instance}`;
  if (targetGroupsNamed(input).includes(production.main)) return 'the main target group';
  if (operation.startsWith('elasticloadbalancing:') && /Listener|Rule/.test(operation)) return 'the listener';
  return templateTouched(operation, input, production.activeTemplate);
}

/**
 * What production launches changes with its template's default version (ModifyLaunchTemplate), and, when it
 * names `$Latest`, with every new version (CreateLaunchTemplateVersion). Versions it does not name are not
 * production's.
 */
function templateTouched(
  operation: string,
  input: Record<string, unknown>,
  template: Production['activeTemplate'],
): string | undefined {
  if (template === null || input.LaunchTemplateId !== template.id) return undefined;
  const what = `launch template ${template.id}, which production launches at ${template.version}`;
  if (operation === 'ec2:ModifyLaunchTemplate') return what;
  if (operation === 'ec2:CreateLaunchTemplateVersion' && template.version === '$Latest') return what;
  if (operation === 'ec2:DeleteLaunchTemplateVersions') return what;
  return undefined;
}

/**
 * Resuming on production only processes an interrupted deployment recorded as its own, and forgetting the
 * record, give production back what the team had (docs/design.md#suspended-processes): not a change.
 */
function restoresRecordedProcesses(
  operation: string,
  input: Record<string, unknown>,
  production: Production,
): boolean {
  if (production.activeGroup === null) return false;
  if (operation === 'autoscaling:ResumeProcesses' && input.AutoScalingGroupName === production.activeGroup) {
    const processes = (input.ScalingProcesses ?? []) as string[];
    return processes.length > 0 && processes.every((process) => production.recordedProcesses.has(process));
  }
  if (operation === 'autoscaling:DeleteTags') {
    const tags = (input.Tags ?? []) as { ResourceId?: string; Key?: string }[];
    return (
      tags.length > 0 &&
      tags.every(
        (tag) => tag.ResourceId === production.activeGroup && tag.Key === SUSPENDED_BY_DEPLOYMENT_TAG,
      )
    );
  }
  return false;
}

function servesMain(group: GroupView, mainTargetGroupArn: string): boolean {
  return group.trafficSources.some(
    (source) => source.identifier === mainTargetGroupArn && !['Removing', 'Removed'].includes(source.state),
  );
}

function isDetaching(state: string): boolean {
  return state === 'Removing' || state === 'Removed';
}

function healthyTargets(account: AccountView, targetGroupArn: string): number {
  return (account.targetGroups[targetGroupArn]?.targets ?? []).filter((target) => target.state === 'healthy')
    .length;
}

function groupSignature(group: GroupView): unknown {
  return {
    sizes: [group.min, group.desired, group.max],
    launchTemplate: group.launchTemplate ?? null,
    instances: group.instances.map((instance) => `${instance.id}:${instance.lifecycleState}`).sort(),
    trafficSources: group.trafficSources
      .map((source) => `${source.identifier}:${isDetaching(source.state) ? 'detaching' : 'attached'}`)
      .sort(),
    suspendedProcesses: [...(group.suspendedProcesses ?? [])].sort(),
    tags: Object.entries(group.tags ?? {}).sort(),
  };
}

function accountSignature(account: AccountView): string {
  return JSON.stringify({
    groups: Object.values(account.groups)
      .map((group) => ({ name: group.name, ...(groupSignature(group) as object) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    targetGroups: Object.entries(account.targetGroups)
      .map(([arn, targetGroup]) => [arn, targetGroup.targets.map((target) => target.id).sort()])
      .sort(),
    listener: account.listener?.defaultActions ?? null,
  });
}
