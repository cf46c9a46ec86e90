/** EC2 instances launched by the simulated Auto Scaling groups. */

// docs/aws-facts/auto-scaling-groups.md#instance-lifecycle: Auto Scaling instance lifecycle states (the
// subset the simulation goes through), with the wait states of lifecycle hooks
// (docs/aws-facts/auto-scaling-lifecycle-hooks.md) and the states of a warm pool's instances
// (docs/aws-facts/auto-scaling-warm-pools.md).
export type LifecycleState =
  | 'Pending'
  | 'Pending:Wait'
  | 'Pending:Proceed'
  | 'InService'
  | 'EnteringStandby'
  | 'Standby'
  | 'Terminating'
  | 'Terminating:Wait'
  | 'Terminating:Proceed'
  | 'Terminated'
  | 'Warmed:Pending'
  | 'Warmed:Stopped'
  | 'Warmed:Running'
  | 'Warmed:Hibernated'
  | 'Warmed:Terminating'
  | 'Warmed:Terminated';

export type HealthStatus = 'Healthy' | 'Unhealthy';

/** How the instance was bought (EC2's `InstanceLifecycle`: `spot`, or absent for On-Demand). */
export type PurchaseOption = 'on-demand' | 'spot';

/** One lifecycle action under way: the instance waits in `Pending:Wait` or `Terminating:Wait` for it. */
export interface LifecycleAction {
  readonly hookName: string;
  readonly token: string;
  /** When the heartbeat timeout runs out (RecordLifecycleActionHeartbeat pushes it back). */
  timeoutAt: number;
  /** The global timeout: the latest the instance may wait, whatever the heartbeats. */
  readonly globalTimeoutAt: number;
  /** When the team's automation answers, and what (from the environment description). */
  readonly answer?: { result: 'CONTINUE' | 'ABANDON'; at: number };
}

export interface Instance {
  readonly id: string;
  readonly groupName: string;
  readonly amiId: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly launchTemplate: { readonly id: string; readonly name: string; readonly version: number };
  readonly launchedAt: number;
  /** From this moment the application answers (boot finished). */
  bootedAt: number;
  /** The operating system is shut down from this moment (termination after draining, or a stopped warm instance). */
  stoppedAt?: number;
  lifecycleState: LifecycleState;
  healthStatus: HealthStatus;
  /** When the instance last entered InService: the health-check grace period counts from here. */
  inServiceSince?: number;
  /** When the current transitional state (Pending, EnteringStandby, Terminating, Terminated) ends. */
  transitionAt?: number;
  /** Spot or On-Demand (a mixed instances policy decides; On-Demand otherwise). */
  purchaseOption?: PurchaseOption;
  /** The capacity units it counts for (a mixed instances policy's `WeightedCapacity`; 1 otherwise). */
  weightedCapacity?: number;
  /** Protected from scale-in (docs/aws-facts/auto-scaling-scale-in-protection.md). */
  protectedFromScaleIn?: boolean;
  /** The lifecycle actions it waits for, by hook name (docs/aws-facts/auto-scaling-lifecycle-hooks.md). */
  lifecycleActions?: Map<string, LifecycleAction>;
  /** Launched with launch hooks to run: it enters Pending:Wait once Pending ends. */
  launchHooksPending?: boolean;
  /** Terminating with terminate hooks to run: it enters Terminating:Wait once drained. */
  terminationHooksPending?: boolean;
  /** Scale-in returns it to the group's warm pool once drained (InstanceReusePolicy). */
  returnToWarmPool?: boolean;
}

/** Whether the application on the instance can answer at `now` (booted, not shut down). */
export function isRunning(instance: Instance, now: number): boolean {
  return now >= instance.bootedAt && (instance.stoppedAt === undefined || now < instance.stoppedAt);
}

/**
 * Instances that count towards the group's desired capacity: launching (including a launch hook's wait
 * states, docs/aws-facts/auto-scaling-lifecycle-hooks.md#capacity) and in service.
 */
export function countsTowardsCapacity(instance: Instance): boolean {
  return (
    instance.lifecycleState === 'Pending' ||
    instance.lifecycleState === 'Pending:Wait' ||
    instance.lifecycleState === 'Pending:Proceed' ||
    instance.lifecycleState === 'InService'
  );
}

/** The capacity units an instance counts for (docs/aws-facts/auto-scaling-mixed-instances.md#weights). */
export function capacityUnits(instance: Instance): number {
  return instance.weightedCapacity ?? 1;
}
