import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { pauseOf } from '../lambdas/shared/contract';
import { lambdaStep } from './step';

/**
 * Where a check that schedules itself puts the time of the next check, beside the loop's state (`$.wait`,
 * lambdas/shared/wait.ts): the rollback window's `nextCheckAt` (lambdas/monitor-new-version/handler.ts).
 * The loop's pause waits until then.
 */
export const NEXT_CHECK_AT_PATH = '$.wait.nextCheckAt';

export interface PollProps {
  /** The check step: answers `{ done, detail, … }` (lambdas/shared/wait.ts), throws when it gives up. */
  readonly check: lambda.IFunction;
  readonly payload: Record<string, unknown>;
  /**
   * How long the pause between two checks lasts: a fixed interval, or `'until-next-check-at'`: until the time
   * the check answered as `nextCheckAt` (the rollback window's checks, aligned with CloudWatch's alarm
   * evaluations: docs/design.md#alarm-aligned-monitoring). A Wait state's `TimestampPath` takes an RFC 3339
   * timestamp (docs/aws-facts/step-functions.md#wait-timestamps).
   */
  readonly pause: Duration | 'until-next-check-at';
  /** How long the check's Task waits for its function (state-machine/step-timeouts.ts). */
  readonly taskTimeout: Duration;
  /** Passed to the check as `timeoutSeconds`; omitted for loops whose end is success (the rollback window). */
  readonly timeout?: Duration;
}

/**
 * Every wait of the deployment, written once: reset the loop state, check, and if not done pause and check
 * again. The check runs first so a condition that already holds costs no wait; the deadline is enforced by
 * the check (it throws WaitTimeoutError), so a timeout is an error the phase's Catch routes like any other.
 * The pause lasts a fixed interval, or until the time the check chose (`pause: 'until-next-check-at'`).
 *
 *   <name>  →  <name>: check  →  <name>: done?  ──no──→  <name>: pause ─┐
 *                    ↑                          └──yes──→ (next step)   │
 *                    └──────────────────────────────────────────────────┘
 */
export class PollUntilDone extends sfn.StateMachineFragment {
  readonly startState: sfn.State;
  readonly endStates: sfn.INextable[];
  /** The check's Task: a loop outside a phase catches its failures here. */
  readonly check: ReturnType<typeof lambdaStep>;

  constructor(scope: Construct, name: string, props: PollProps) {
    super(scope, name);
    const start = new sfn.Pass(this, name, {
      result: sfn.Result.fromObject({ startedAt: null }),
      resultPath: '$.wait',
    });
    const check = (this.check = lambdaStep(
      this,
      `${name}: check`,
      props.check,
      {
        ...props.payload,
        'wait.$': '$.wait',
        ...(props.timeout ? { timeoutSeconds: props.timeout.toSeconds() } : {}),
      },
      { resultPath: '$.wait', timeout: props.taskTimeout },
    ));
    const pause = new sfn.Wait(this, pauseOf(name), {
      time:
        props.pause === 'until-next-check-at'
          ? sfn.WaitTime.timestampPath(NEXT_CHECK_AT_PATH)
          : sfn.WaitTime.duration(props.pause),
    });
    const done = new sfn.Choice(this, `${name}: done?`).when(
      sfn.Condition.booleanEquals('$.wait.done', false),
      pause,
    );
    start.next(check).next(done);
    pause.next(check);
    this.startState = start;
    this.endStates = done.afterwards({ includeOtherwise: true }).endStates;
  }
}
