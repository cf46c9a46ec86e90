import { AutoScalingClient, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { KEY_STATES } from '../../lambdas/shared/contract';
import type { DefaultEnvironmentOptions, GroupDescription } from '../account/environment';
import type { ScalingPolicyDescription } from '../account/scaling-policies';
import type { DeploymentRun, Scenario } from './catalog';
import type { Outcome } from './options';

/**
 * Groups as teams run them (docs/design.md#production-shaped-groups) and load that moves during a deployment
 * (docs/design.md#capacity). Each capacity scenario sends more users than a fleet of the wrong size could
 * serve: an instance serves 10 requests a second here, so a fleet too small shows as capacity errors.
 */

const deploy = (expectedOutcome: Outcome = 'succeeded'): DeploymentRun => ({
  input: { amiId: '{next}' },
  expectedOutcome,
});

/** Both groups alike, as a blue/green pair is built. */
const bothGroups = (group: Partial<GroupDescription>): DefaultEnvironmentOptions => ({
  activeGroup: group,
  standbyGroup: group,
});

const CAPACITY = { capacityPerInstance: 10 };

/** Target tracking on requests per target: 5 a second each (300 a minute), half of what one serves. */
const REQUESTS_PER_TARGET: ScalingPolicyDescription = {
  name: 'requests-per-target',
  metric: 'ALBRequestCountPerTarget',
  targetValue: 300,
  estimatedInstanceWarmupSeconds: 60,
};

const MIXED_POLICY: GroupDescription['mixedInstancesPolicy'] = {
  overrides: [{ instanceType: 't3.micro' }, { instanceType: 't3a.micro' }],
  instancesDistribution: { onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 50 },
};

/** The account owner scales production (blue) to `desired`, as a scheduled action or a person would. */
const scaleProduction = (desired: number) => async (): Promise<void> => {
  await new AutoScalingClient({ region: 'us-east-1' }).send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: 'webapp-blue',
      DesiredCapacity: desired,
      MaxSize: Math.max(desired, 6),
    }),
  );
};

export const PRODUCTION_GROUP_SCENARIOS: readonly Scenario[] = [
  {
    name: 'mixed-instances',
    description:
      'Both groups run a mixed instances policy (two instance types, one On-Demand then half Spot): the new version goes into the policy, every instance type and purchase option runs it.',
    environment: bothGroups({ mixedInstancesPolicy: MIXED_POLICY }),
    runs: [deploy()],
  },
  {
    name: 'protected-instances',
    description:
      'Both groups protect new instances from scale-in: the finish lifts the old fleet’s protection, so it empties instead of stalling.',
    environment: bothGroups({ newInstancesProtectedFromScaleIn: true }),
    runs: [deploy()],
  },
  {
    name: 'protected-instances-rollback',
    description:
      'Scale-in protection on both groups and a version the alarm rolls back: the rollback empties the protected new group.',
    environment: {
      ...bothGroups({ newInstancesProtectedFromScaleIn: true }),
      newVersion: { errorRate: 0.5, errorsFromMinuteAfterShift: 10 },
    },
    runs: [deploy('rolled-back')],
  },
  {
    name: 'lifecycle-hooks',
    description:
      'Both groups have a launch hook (the team configures each instance, 45 s) and a terminate hook (logs shipped, 20 s), heartbeat 300 s: held instances are waited for, nothing stalls.',
    environment: bothGroups({
      lifecycleHooks: [
        {
          name: 'configure',
          transition: 'launching',
          heartbeatTimeoutSeconds: 300,
          answer: { result: 'CONTINUE', afterSeconds: 45 },
        },
        {
          name: 'ship-logs',
          transition: 'terminating',
          heartbeatTimeoutSeconds: 300,
          answer: { result: 'CONTINUE', afterSeconds: 20 },
        },
      ],
    }),
    runs: [deploy()],
  },
  {
    name: 'lifecycle-hook-abandons',
    description:
      'The team’s launch hook refuses the new version’s instances (ABANDON): the wait fails at once and the deployment aborts, production untouched.',
    environment: {
      standbyGroup: {
        lifecycleHooks: [
          {
            name: 'configure',
            transition: 'launching',
            heartbeatTimeoutSeconds: 300,
            answer: { result: 'ABANDON', afterSeconds: 30 },
          },
        ],
      },
    },
    runs: [deploy('aborted')],
  },
  {
    name: 'lifecycle-hook-outlasts-wait',
    description:
      'A launch hook with the default heartbeat timeout (an hour) could hold instances past the 20-minute wait: refused up front with the timeout to set, nothing changed.',
    environment: { standbyGroup: { lifecycleHooks: [{ name: 'configure', transition: 'launching' }] } },
    runs: [deploy('rejected')],
  },
  {
    name: 'warm-pool',
    description:
      'The standby group has a warm pool, whose instances would bring the old AMI back on a scale-out: refused up front, nothing changed.',
    environment: { standbyGroup: { warmPool: { minSize: 1, maxGroupPreparedCapacity: 4 } } },
    runs: [deploy('rejected')],
  },
];

export const CAPACITY_SCENARIOS: readonly Scenario[] = [
  {
    name: 'scale-out-during-prepare',
    description:
      'Production is scaled from 3 to 6 while the new version is prepared, then users double: the new group grows to 6 before the shift, so 48 requests a second never meet a fleet of 3.',
    environment: { capacity: CAPACITY },
    traffic: { kind: 'step', from: 24, to: 48, atSeconds: 120 },
    runs: [
      {
        ...deploy(),
        ownerActions: [{ state: KEY_STATES.newInstancesInService, act: scaleProduction(6) }],
      },
    ],
  },
  {
    name: 'scale-out-during-window',
    description:
      'Both groups track 5 requests a second per target; users rise from 12 to 24 a second in the window: the new group scales out, its booting instances are not taken for an unhealthy version, and the deployment succeeds.',
    environment: { capacity: CAPACITY, scalingPolicy: REQUESTS_PER_TARGET, activeGroup: { max: 12 } },
    traffic: { kind: 'step', from: 12, to: 24, atSeconds: 600 },
    runs: [deploy()],
  },
  {
    name: 'rollback-after-scale-out',
    description:
      'Users rise from 10 to about 40 a second in the window and the new group scales out with them; then its errors roll it back: the old fleet, 3 before, comes back at the size the new one served with, healthy, before the new group leaves.',
    environment: {
      capacity: CAPACITY,
      scalingPolicy: REQUESTS_PER_TARGET,
      activeGroup: { max: 12 },
      newVersion: { errorRate: 0.5, errorsFromMinuteAfterShift: 25 },
    },
    traffic: { kind: 'daily', trough: 10, peak: 70, phase: 0, periodSeconds: 2 * 3600 },
    runs: [deploy('rolled-back')],
  },
  {
    name: 'daily-peak',
    description:
      'A deployment on the rising edge of the daily peak, with target tracking on both groups: production grows as the new version is prepared, the shift matches it, and no user meets a fleet too small.',
    environment: {
      capacity: CAPACITY,
      scalingPolicy: REQUESTS_PER_TARGET,
      instances: 8,
      activeGroup: { max: 16 },
    },
    traffic: { kind: 'daily', trough: 10, peak: 70, phase: 0.25, periodSeconds: 2 * 3600 },
    runs: [deploy()],
  },
];
