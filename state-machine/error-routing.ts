import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/** Where a caught failure is kept; the report step turns it into the plain-words cause. */
export const FAILURE_PATH = '$.failure';
/** Where a failure of the abort or the rollback is kept, beside the failure that started it. */
export const CLEANUP_FAILURE_PATH = '$.cleanupFailure';

/**
 * Error routing, written once: a phase of the deployment runs as one Parallel branch whose failure, any
 * failure, goes to `onFailure` with the state as it was when the phase began plus `$.failure`. That is how
 * "before the shift → abort", "after the shift → roll back" and "in recovery → manual action" are enforced
 * for every step of a phase, including steps added later.
 */
export function phase(
  scope: Construct,
  name: string,
  steps: sfn.IChainable,
  onFailure: sfn.IChainable,
  failurePath: string = FAILURE_PATH,
): sfn.Parallel {
  // A branch may end in a polling loop's Choice, which cannot end a branch: close it explicitly.
  const complete = new sfn.Succeed(scope, `${name}: complete`);
  return new sfn.Parallel(scope, name, { resultPath: sfn.JsonPath.DISCARD })
    .branch(sfn.Chain.start(steps).next(complete))
    .addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: failurePath });
}

/** The same routing for single steps outside a phase (the request checks, which own no cleanup). */
export function onAnyFailure(task: sfn.TaskStateBase, onFailure: sfn.IChainable): void {
  task.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: FAILURE_PATH });
}
