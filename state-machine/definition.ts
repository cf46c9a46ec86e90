import { Duration } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  keepSeconds,
  MAX_PARTIAL_SHARES,
  MAX_ROLLBACK_WINDOW_MINUTES,
  MAX_TOTAL_BAKE_MINUTES,
  type Settings,
} from '../lambdas/shared/settings';
import { endings } from './phases/endings';
import { finish } from './phases/finish';
import { afterFinish, hooksSeconds } from './phases/hooks';
import { keepOldFleet } from './phases/keep-fleets';
import { abort, prepare } from './phases/prepare';
import { requestChecks } from './phases/request-checks';
import { rollback } from './phases/rollback';
import { planShift, shiftAndMonitor } from './phases/shift-and-monitor';
import type { DefinitionContext, StepFunctions } from './tasks';

export interface DefinitionProps {
  readonly steps: StepFunctions;
  /** Validated settings, embedded in the definition and re-validated with the execution's overrides. */
  readonly settings: Settings;
}

/**
 * The deployment of docs/design.md#the-flow, in the order the console shows it: request checks (failure:
 * rejected) → prepare the new version (failure: abort) → shift traffic and monitor (failure: roll back) →
 * finish (failure: manual action). A clean-up that fails ends in "manual action needed"; every ending reports
 * in plain words (phases/endings.ts). A recovery enters the clean-up its stopped deployment needs from the
 * request checks.
 */
export function deploymentDefinition(scope: Construct, props: DefinitionProps): sfn.IChainable {
  const ctx: DefinitionContext = { scope, ...props };
  const end = endings(ctx);
  // The clean-ups, which a recovery also resumes (docs/recovery.md).
  const cleanups = {
    abort: abort(ctx, end.cleanupFailed),
    rollback: rollback(ctx, end.cleanupFailed),
    finish: finish(ctx, end.manualAction),
  };
  cleanups.abort.next(end.aborted);
  cleanups.rollback.next(end.rolledBack);
  cleanups.finish.next(afterFinish(ctx, end.succeeded));
  // With keepOldFleetMinutes, the old fleet waits in Standby for an undo before the finish retires it.
  const kept = keepOldFleet(ctx, { undo: cleanups.rollback, finish: cleanups.finish });
  const monitored = requestChecks(ctx, end, cleanups)
    .next(prepare(ctx, cleanups.abort))
    .next(planShift(ctx, cleanups.abort))
    .next(shiftAndMonitor(ctx, cleanups.rollback));
  return kept ? monitored.next(kept).next(cleanups.finish) : monitored.next(cleanups.finish);
}

/**
 * Upper bound of one execution: every wait on its longest path (prepare and its approval gate, shift,
 * window, rollback) and every lifecycle hook's timeout, with an hour of margin for retries and API latency.
 * The window counts at the longest an execution's override may
 * ask for, so an override can never be cut short by the timeout; the kept fleets' time counts whole.
 */
export function executionTimeout(settings: Settings): Duration {
  const approvalSeconds = (settings.approval?.timeoutMinutes ?? 0) * 60;
  const waitSeconds =
    Object.values(settings.waits).reduce((total, wait) => total + wait.timeoutSeconds, 0) + approvalSeconds;
  const windowSeconds = Math.max(settings.monitoring.rollbackWindowMinutes, MAX_ROLLBACK_WINDOW_MINUTES) * 60;
  // Each lifecycle hook may take its whole timeout, once; the kept fleets their whole time.
  return Duration.seconds(
    waitSeconds * 2 +
      windowSeconds +
      gradualShiftSeconds(settings) +
      hooksSeconds(settings.hooks) +
      keepSeconds(settings) +
      3_600,
  );
}

/**
 * A gradual shift at the longest an execution's override may ask for, as the window is: every bake, and
 * each share's waits for its new instances' health and its old instances' drain.
 */
function gradualShiftSeconds(settings: Settings): number {
  const { mainTargetsHealthy, oldFleetInStandby } = settings.waits;
  return (
    MAX_TOTAL_BAKE_MINUTES * 60 +
    MAX_PARTIAL_SHARES * (mainTargetsHealthy.timeoutSeconds + oldFleetInStandby.timeoutSeconds)
  );
}
