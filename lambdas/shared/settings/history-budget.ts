import { RETRY_POLICY } from '../retry-policy';
import { approvalWait } from './approval';
import { hookHistoryEvents, type Hook } from './hooks';
import { keepPolls } from './keep';
import { HISTORY_EVENTS_PER_POLL, MAX_MONITOR_POLLS, MAX_ROLLBACK_WINDOW_MINUTES } from './monitoring';
import { partialShares, type ShiftSettings } from './shift';

/**
 * The execution history the longest path of a deployment may write (Step Functions fails an execution at
 * 25,000 events, with no chance to roll back): counted from the settings at synth time and for each
 * execution's overrides, by the configuration schema (./index.ts).
 */

/** Execution history the longest path may write, with a margin under Step Functions' 25,000 events. */
export const MAX_HISTORY_EVENTS = 24_000;
/** Everything outside the polling loops, retries apart: about 150 events, counted generously. */
const FIXED_HISTORY_EVENTS = 600;

/**
 * Events one retry adds to the history: the new attempt's TaskScheduled, TaskStarted and its TaskSucceeded,
 * TaskFailed or TaskTimedOut. The Task's TaskStateEntered and TaskStateExited are written once whatever the
 * attempts, and no event type records the retry itself (the event types:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
 */
export const HISTORY_EVENTS_PER_RETRY = 3;

/**
 * Lambda steps outside the waits on the longest path: the request checks (7), prepare (5, and the
 * "started" and "new version ready" milestones), the shift's plan, the shift (3, and the "traffic shifted"
 * and "window passed" milestones), then the rollback (5: counted whole, though a first deployment takes only
 * its one step of keeping the version serving) or the finish (3) and its report. The listeners'
 * restoration, in the shift and in the rollback, is counted whatever the split. A gradual shift's steps
 * for each share are counted per share (shiftHistoryEvents). Two of them wait out a transition by throwing
 * NotReadyError: "Put old fleet in standby", then "Put old fleet back in service" or "Retire old fleet".
 * test/infra/blue-green-deployment.test.ts counts them again on the synthesized definition.
 */
export const LONGEST_PATH_STEPS = { lambda: 26, notReady: 2 } as const;

/** A gradual shift's Lambda steps for each share: the share's step and the park of the old share. */
export const SHIFT_STEPS_PER_SHARE = { byWeight: 1, byInstances: 2 } as const;

type WaitName =
  | 'amiTags'
  | 'turn'
  | 'groupEmpty'
  | 'instancesInService'
  | 'syntheticTargetsHealthy'
  | 'mainTargetsHealthy'
  | 'oldFleetInStandby'
  | 'targetGroupsDetached'
  | 'rollbackRecovery';

/** The waits of each phase, in the order the definition runs them (state-machine/definition.ts). */
const WAITS_BY_PHASE: Record<'request' | 'prepare' | 'shift' | 'rollback' | 'finish', readonly WaitName[]> = {
  request: ['amiTags', 'turn'],
  // The second pair: the instances added to match production's capacity just before the shift.
  prepare: [
    'groupEmpty',
    'instancesInService',
    'syntheticTargetsHealthy',
    'instancesInService',
    'syntheticTargetsHealthy',
  ],
  shift: ['mainTargetsHealthy', 'oldFleetInStandby'],
  rollback: ['rollbackRecovery', 'targetGroupsDetached', 'groupEmpty'],
  finish: ['targetGroupsDetached', 'groupEmpty'],
};

interface HistoryInputs {
  waits: Record<WaitName, { intervalSeconds: number; timeoutSeconds: number }>;
  monitoring: { rollbackWindowMinutes: number; intervalSeconds: number };
  /** An Image Builder request runs two more Lambda steps: finding its AMI and validating it. */
  imageBuilder?: unknown;
  /** The approval gate: one more wait, and its milestone, before the shift. */
  approval?: { timeoutMinutes: number; checkEverySeconds: number; onTimeout: 'abort' | 'continue' };
  /** Lifecycle hooks: each adds its Task, its judge and their retries (./hooks.ts). */
  hooks?: readonly Pick<Hook, 'stage'>[];
  /** The kept fleets' waits (lambdas/shared/settings/keep.ts); absent: none. */
  keepOldFleetMinutes?: number;
  keepFailedFleetMinutes?: number;
  /** A gradual shift: each share below 100 % adds its step, its two waits and its bake. */
  shift?: Pick<ShiftSettings, 'mode' | 'split' | 'canaryPercent' | 'linearStepPercent' | 'bakeMinutes'>;
}

export interface HistoryBudget {
  /** Every event the longest path may write, retries included. */
  total: number;
  /** The part the retry policy may add. */
  retries: number;
}

/**
 * The longest path: the AMI's tags (an AMI event), prepare, shift, the whole window, then the longer of rollback and finish. Each loop
 * polls at most timeout/interval + 1 times. Retries are sized from the retry policy: every NotReadyError
 * retry of the two steps that wait out draining (they really take them: a deregistration delay of up to an
 * hour), a spent transient retrier for every Lambda step, and one for every wait (a throttling spell while
 * it polls; a check that spends its retrier fails, and the path ends sooner).
 */
export function historyBudget(s: HistoryInputs): HistoryBudget {
  const polls = (names: readonly WaitName[]) =>
    names.reduce(
      (total, name) => total + Math.ceil(s.waits[name].timeoutSeconds / s.waits[name].intervalSeconds) + 1,
      0,
    );
  // The window checks when it opens, then on a grid aligned with CloudWatch's alarm evaluations
  // (lambdas/monitor-new-version/schedule.ts): up to ceil(window/interval) grid checks inside it, then the
  // one at its end. One more than a loop paced from its first check.
  const window = Math.ceil((s.monitoring.rollbackWindowMinutes * 60) / s.monitoring.intervalSeconds) + 2;
  const cleanup =
    polls(WAITS_BY_PHASE.rollback) >= polls(WAITS_BY_PHASE.finish)
      ? WAITS_BY_PHASE.rollback
      : WAITS_BY_PHASE.finish;
  const approval = s.approval ? approvalWait(s.approval) : undefined;
  const approvalPolls = approval ? Math.ceil(approval.timeoutSeconds / approval.intervalSeconds) + 1 : 0;
  const pollEvents =
    (approvalPolls +
      polls(WAITS_BY_PHASE.request) +
      polls(WAITS_BY_PHASE.prepare) +
      polls(WAITS_BY_PHASE.shift) +
      window +
      polls(cleanup) +
      // The kept fleets, both counted: the old fleet's keep ends in the finish or, on an undo, in the
      // rollback, whose new fleet is then kept too.
      keepPolls(s.keepOldFleetMinutes ?? 0) +
      keepPolls(s.keepFailedFleetMinutes ?? 0)) *
    HISTORY_EVENTS_PER_POLL;

  const waitsOnPath =
    WAITS_BY_PHASE.request.length +
    WAITS_BY_PHASE.prepare.length +
    WAITS_BY_PHASE.shift.length +
    1 +
    cleanup.length +
    (approval ? 1 : 0) +
    [s.keepOldFleetMinutes, s.keepFailedFleetMinutes].filter((minutes) => (minutes ?? 0) > 0).length;
  const retries =
    (LONGEST_PATH_STEPS.notReady * RETRY_POLICY.notReady.maxAttempts +
      (LONGEST_PATH_STEPS.lambda + (s.imageBuilder ? 2 : 0) + (approval ? 1 : 0) + waitsOnPath) *
        RETRY_POLICY.transient.maxAttempts) *
    HISTORY_EVENTS_PER_RETRY;
  const hooks = hookHistoryEvents(s.hooks ?? []);
  const shift = shiftHistoryEvents(s, polls);
  return {
    total:
      pollEvents +
      FIXED_HISTORY_EVENTS +
      retries +
      hooks.events +
      hooks.retries +
      shift.events +
      shift.retries,
    retries: retries + hooks.retries + shift.retries,
  };
}

/**
 * A gradual shift's part of the longest path beyond LONGEST_PATH_STEPS: for each share below 100 % its
 * step and, by instances, the park of the old share (both may wait out a transition by throwing
 * NotReadyError), the waits for the new share's health and the old share's drain, and the bake, paced as
 * the window is.
 */
function shiftHistoryEvents(
  s: HistoryInputs,
  polls: (names: readonly WaitName[]) => number,
): { events: number; retries: number } {
  if (!s.shift) return { events: 0, retries: 0 };
  const shares = partialShares(s.shift).length;
  const bakePolls = Math.ceil((s.shift.bakeMinutes * 60) / s.monitoring.intervalSeconds) + 2;
  // By weight, a share is one listener change: no instance moves, so no park and no waits for it.
  const byInstances = s.shift.split === 'instances';
  const sharePolls = bakePolls + (byInstances ? polls(WAITS_BY_PHASE.shift) : 0);
  const stepsPerShare = byInstances ? SHIFT_STEPS_PER_SHARE.byInstances : SHIFT_STEPS_PER_SHARE.byWeight;
  const waitsPerShare = byInstances ? 3 : 1;
  return {
    events: shares * (sharePolls * HISTORY_EVENTS_PER_POLL + SHIFT_STEP_EVENTS),
    retries:
      (shares * stepsPerShare * RETRY_POLICY.notReady.maxAttempts +
        shares * (stepsPerShare + waitsPerShare) * RETRY_POLICY.transient.maxAttempts) *
      HISTORY_EVENTS_PER_RETRY,
  };
}

/** A share's states outside its waits: its step, the park, and the Choices between (entered and exited). */
const SHIFT_STEP_EVENTS = 20;

/**
 * The longest rollback window these waits and this monitoring interval leave room for in the history, or
 * -1 when even a window of 0 does not fit.
 */
export function maxRollbackWindowMinutes(s: HistoryInputs): number {
  const byPolls = Math.floor((MAX_MONITOR_POLLS * s.monitoring.intervalSeconds) / 60);
  for (let minutes = Math.min(MAX_ROLLBACK_WINDOW_MINUTES, byPolls); minutes >= 0; minutes--) {
    const monitoring = { ...s.monitoring, rollbackWindowMinutes: minutes };
    if (historyBudget({ ...s, monitoring }).total <= MAX_HISTORY_EVENTS) return minutes;
  }
  return -1;
}
