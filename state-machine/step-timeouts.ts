import {
  LAMBDA_MAX_SECONDS,
  SYNTHETIC_CHECK_OVERHEAD_SECONDS,
  syntheticChecksWorstCaseSeconds,
  type Settings,
} from '../lambdas/shared/settings';
import { STEPS, type StepName } from './step-registry';

/** What a step's function may take unless its class says otherwise. */
const FUNCTION_DEFAULT_SECONDS = 60;
const FLEET_BATCHES_SECONDS = 300;
/** Past the function's own timeout, so that the function's timeout, not the Task's, names the failure. */
const TASK_MARGIN_SECONDS = 30;
/** A step of a few calls whose Task waited this long is stuck (its function stopped at a minute). */
const DEFAULT_TASK_SECONDS = 300;

/** How long a step's function may run, from its timeout class (state-machine/step-registry.ts). */
export function functionTimeoutSeconds(step: StepName, settings: Settings): number {
  switch (STEPS[step].timeout) {
    case 'default':
      return FUNCTION_DEFAULT_SECONDS;
    case 'fleet-batches':
      return FLEET_BATCHES_SECONDS;
    case 'synthetic-checks': {
      const worstCase = syntheticChecksWorstCaseSeconds(settings.syntheticChecks);
      return Math.min(LAMBDA_MAX_SECONDS, worstCase + SYNTHETIC_CHECK_OVERHEAD_SECONDS);
    }
  }
}

/** How long the state machine's Task waits for the step's function. */
export function taskTimeoutSeconds(step: StepName, settings: Settings): number {
  if (STEPS[step].timeout === 'default') return DEFAULT_TASK_SECONDS;
  return functionTimeoutSeconds(step, settings) + TASK_MARGIN_SECONDS;
}
