import type { StepHandler } from '../../state-machine/step-handlers';

export type StepHandlerFunction = (event: unknown) => Promise<unknown>;

/**
 * The real step handlers, loaded in-process. Loaded on demand so a caller can quiet or redirect logging
 * (lambdas/shared/logger) before any handler module runs.
 */
export async function loadHandlers(): Promise<Record<StepHandler, StepHandlerFunction>> {
  return {
    'validate-request': (await import('../../lambdas/validate-request/handler')).handler,
    'guard-single-deployment': (await import('../../lambdas/guard-single-deployment/handler')).handler,
    'resolve-roles': (await import('../../lambdas/resolve-roles/handler')).handler,
    'scale-group-to-zero': (await import('../../lambdas/scale-group-to-zero/handler')).handler,
    'check-group-empty': (await import('../../lambdas/check-group-empty/handler')).handler,
    'launch-new-version': (await import('../../lambdas/launch-new-version/handler')).handler,
    'check-instances-in-service': (await import('../../lambdas/check-instances-in-service/handler')).handler,
    'attach-target-groups': (await import('../../lambdas/attach-target-groups/handler')).handler,
    'detach-target-groups': (await import('../../lambdas/detach-target-groups/handler')).handler,
    'check-target-groups-detached': (await import('../../lambdas/check-target-groups-detached/handler'))
      .handler,
    'check-targets-healthy': (await import('../../lambdas/check-targets-healthy/handler')).handler,
    'run-synthetic-checks': (await import('../../lambdas/run-synthetic-checks/handler')).handler,
    'enter-standby': (await import('../../lambdas/enter-standby/handler')).handler,
    'check-instances-in-standby': (await import('../../lambdas/check-instances-in-standby/handler')).handler,
    'monitor-new-version': (await import('../../lambdas/monitor-new-version/handler')).handler,
    'retire-old-fleet': (await import('../../lambdas/retire-old-fleet/handler')).handler,
    'restore-old-fleet': (await import('../../lambdas/restore-old-fleet/handler')).handler,
    'report-outcome': (await import('../../lambdas/report-outcome/handler')).handler,
  };
}
