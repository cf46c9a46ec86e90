import type { ConfiguredProps } from '../../infra/props';
import { logger } from '../../lambdas/shared/logger';
import { SimulatedAccount } from '../../simulator/account/account';
import type { EnvironmentDescription } from '../../simulator/account/environment';
import { VirtualClock } from '../../simulator/engine/clock';
import { loadHandlers, type StepHandlerFunction } from '../../simulator/engine/handlers';
import { LocalStepFunctions } from '../../simulator/engine/step-functions-service';
import type { SynthesizedWorkflow } from '../../simulator/engine/synthesize';
import { cachedWorkflow } from '../../simulator/engine/workflow-cache';
import type { StepName } from '../../state-machine/step-registry';
import { simulatedDeployment } from './simulated-deployment';

/** The synthesized state machine on the local Step Functions service, over a simulated account, per test. */
export interface SimulatedStateMachine {
  workflow: SynthesizedWorkflow;
  clock: VirtualClock;
  account: SimulatedAccount;
  service: LocalStepFunctions;
  /** Runs virtual time, five seconds at a time, until the condition holds (failing after `maxSeconds`). */
  runUntil(condition: () => boolean, maxSeconds?: number): Promise<void>;
}

/**
 * Registers the hooks that give each test a fresh account, service and virtual clock (the workflow and the
 * bundled steps loaded once per file), for tests that run the operator CLI against the real state machine.
 */
export function useSimulatedStateMachine(
  environment: EnvironmentDescription,
  /** Changes to the orchestrator's configuration (e.g. keepOldFleetMinutes). */
  deployment: Partial<ConfiguredProps> = {},
): SimulatedStateMachine {
  const world = {
    async runUntil(condition: () => boolean, maxSeconds = 4 * 3600): Promise<void> {
      for (let seconds = 0; !condition() && seconds < maxSeconds; seconds += 5) {
        await world.clock.advance(5000);
      }
      if (!condition()) throw new Error(`still waiting after ${maxSeconds} virtual seconds`);
    },
  } as SimulatedStateMachine;
  let handlers: Record<StepName, StepHandlerFunction>;
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    world.workflow = cachedWorkflow(
      { ...simulatedDeployment(environment), ...deployment },
      environment.region,
      environment.accountId,
    );
    logger.setLogLevel('SILENT');
    handlers = await loadHandlers();
  }, 60_000);

  beforeEach(() => {
    world.clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    world.account = new SimulatedAccount(environment, { seed: 1 });
    world.service = new LocalStepFunctions(world.workflow, handlers, {
      elapsedSeconds: () => world.clock.elapsedSeconds(),
    });
    world.account.install();
    world.service.install(world.account);
    // Synthetic checks reach the simulated load balancer only.
    globalThis.fetch = world.account.fetch.bind(world.account) as typeof fetch;
  });

  afterEach(() => {
    globalThis.fetch = realFetch;
    world.service.uninstall();
    world.account.uninstall();
    world.clock.uninstall();
  });

  return world;
}
