/**
 * States whose names others rely on: the simulator's invariant monitor tells the phases of a run apart by
 * them, and operators stop or inspect executions at them. The definition names its states with these.
 */
export const KEY_STATES = {
  validate: 'Validate deployment request',
  /** The phases a recovery resumes (docs/recovery.md), as their Parallel states are named. */
  prepare: 'Prepare the new version (production untouched)',
  abort: 'Abort: remove the new version',
  /** Production traffic may reach the new version from here on. */
  shiftStarts: 'Attach new group to main target group',
  window: 'Monitor new version during rollback window',
  rollback: 'Roll back to the old version',
  finish: 'Finish deployment',
  /** Waits an operator request can stop before the shift (abort) and after it (roll back). */
  newInstancesInService: 'Wait until new instances are in service',
  syntheticTargetsHealthy: 'Wait until new targets are healthy in synthetic target group',
  /** Only with `approval` set (docs/design.md#approval-gate). */
  approval: 'Wait for approval to shift production traffic',
  oldFleetInStandby: 'Wait until old fleet is in standby',
} as const;

/**
 * The gradual shift's states (docs/design.md#gradual-shift): the plan runs before the shift, the others loop
 * once per share of traffic. The simulation measures each version's share of user traffic while a share
 * bakes (`bake`, a polling loop: its states are this name and `<name>: check`, `: done?`, `: pause`) and
 * during the window.
 */
export const SHIFT_STATES = {
  plan: 'Plan traffic shift',
  step: 'Shift next share of traffic',
  newShareHealthy: 'Wait until new share is healthy',
  parkOldShare: 'Park old share in standby',
  oldShareParked: 'Wait until old share is in standby',
  bake: 'Bake new share',
  more: 'Is there more traffic to shift?',
  restoreListeners: "Return listeners' default actions as they were",
} as const;

/** The pause of a wait's polling loop (state-machine/polling.ts): where a wait spends its time. */
export function pauseOf(wait: string): string {
  return `${wait}: pause`;
}

/**
 * Where an execution is, as the guard sees it (lambdas/guard-single-deployment/handler.ts): the states before
 * the guard, where it has not passed the AMI check yet (the AMI's tags may take minutes), the guard's own
 * states, and the request phase's endings that change nothing. Every other state is a deployment under way.
 * The definition names its states from these (state-machine/phases/request-checks.ts and endings.ts).
 */
export const ADMISSION_STATES = {
  beforeGuard: {
    /** With `imageBuilder` configured (docs/design.md#ec2-image-builder). */
    fromImageBuilder: 'Did EC2 Image Builder announce this release?',
    findBuiltAmi: 'Find the AMI the image built',
    builtForUs: 'Did a configured pipeline build it for here?',
    notBuiltForUs: 'Keep why the image is not deployed',
    validateBuilt: 'Validate the AMI the image built',
    tagsThere: "Are the AMI's tags there yet?",
    /** A polling loop: its states are this name and `<name>: check`, `: done?`, `: pause`. */
    waitForTags: "Wait for the AMI's tags",
    ofThisApplication: 'Is this an AMI of this application?',
  },
  guard: {
    first: 'Make sure no other deployment is running',
    settle: 'Let simultaneous starts become visible',
    again: 'Make sure no other deployment started meanwhile',
    duplicate: 'Is another execution deploying this AMI?',
    /** whileDeploying: queue-newest (docs/design.md#newest-wins). */
    ahead: 'Is a deployment running or a newer release waiting?',
    /** A polling loop, as `waitForTags`: queued behind the running deployment. */
    waitForTurn: 'Wait for the running deployment to end',
  },
  endings: {
    refused: 'Keep why the request was refused',
    reportRejected: 'Report: deployment rejected',
    rejected: 'Deployment rejected (nothing changed)',
    reportSkipped: 'Report: not this application’s AMI',
    skipped: 'Skipped (nothing changed)',
    reportNotNewer: 'Report: not a newer release',
    notNewer: 'Skipped: not newer than the serving release (nothing changed)',
    reportDuplicate: 'Report: already being deployed',
    duplicate: 'Skipped: another execution deploys this AMI (nothing changed)',
    reportSuperseded: 'Report: superseded by a newer release',
    superseded: 'Skipped: a newer release deploys instead (nothing changed)',
    reportNothingToDo: 'Report: nothing to do',
    nothingToDo: 'Nothing to do (this AMI already serves)',
  },
} as const;

export type AdmissionPhase = 'checking' | 'guarding' | 'deploying' | 'ending';

/** The phase an execution is in, from the state it last entered; undefined (no state yet): checking. */
export function admissionPhaseOf(state: string | undefined): AdmissionPhase {
  const { beforeGuard, guard, endings } = ADMISSION_STATES;
  if (state === undefined || state === KEY_STATES.validate) return 'checking';
  if (Object.values(beforeGuard).some((name) => state === name || state.startsWith(`${name}: `)))
    return 'checking';
  if (Object.values(guard).some((name) => state === name || state.startsWith(`${name}: `))) return 'guarding';
  if ((Object.values(endings) as string[]).includes(state)) return 'ending';
  return 'deploying';
}

/**
 * A recovery (docs/recovery.md): an execution the rule on the state machine's status changes starts
 * when a deployment was stopped, timed out or failed outside its clean-up. It resumes that deployment's
 * clean-up from its last state.
 */
export const RECOVERY_STATES = {
  isRecovery: 'Is this the recovery of a stopped deployment?',
  /** Before the guard: a recovery with nothing to do holds no deployment back. */
  check: 'Check whether the stopped deployment left anything to recover',
  anything: 'Is there anything to recover?',
  /** Once it is its turn. */
  itsTurn: 'Is it a recovery whose turn it is?',
  plan: 'Find what the stopped deployment left',
  route: 'What does the stopped deployment need?',
  /** Not reported: every failed deployment starts a recovery, most of which find their clean-up done. */
  sayWhyNothing: 'Say why there is nothing to recover (not announced)',
  nothing: 'Nothing to recover (nothing changed)',
} as const;
