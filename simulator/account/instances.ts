/** EC2 instances launched by the simulated Auto Scaling groups. */

// docs/aws-facts/auto-scaling-groups.md#instance-lifecycle: Auto Scaling instance lifecycle states (the
// subset the simulation goes through).
export type LifecycleState =
  'Pending' | 'InService' | 'EnteringStandby' | 'Standby' | 'Terminating' | 'Terminated';

export type HealthStatus = 'Healthy' | 'Unhealthy';

export interface Instance {
  readonly id: string;
  readonly groupName: string;
  readonly amiId: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly launchTemplate: { readonly id: string; readonly name: string; readonly version: number };
  readonly launchedAt: number;
  /** From this moment the application answers (boot finished). */
  readonly bootedAt: number;
  /** The operating system is shut down from this moment (termination after draining). */
  stoppedAt?: number;
  lifecycleState: LifecycleState;
  healthStatus: HealthStatus;
  /** When the instance last entered InService: the health-check grace period counts from here. */
  inServiceSince?: number;
  /** When the current transitional state (Pending, EnteringStandby, Terminating, Terminated) ends. */
  transitionAt?: number;
}

/** Whether the application on the instance can answer at `now` (booted, not shut down). */
export function isRunning(instance: Instance, now: number): boolean {
  return now >= instance.bootedAt && (instance.stoppedAt === undefined || now < instance.stoppedAt);
}

/** Instances that count towards the group's desired capacity. */
export function countsTowardsCapacity(instance: Instance): boolean {
  return instance.lifecycleState === 'Pending' || instance.lifecycleState === 'InService';
}
