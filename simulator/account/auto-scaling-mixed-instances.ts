/**
 * Mixed instances policies (docs/aws-facts/auto-scaling-mixed-instances.md): the policy a group launches
 * from, its defaults, how an update changes it, what DescribeAutoScalingGroups answers, and which instance
 * type and purchase option the next launch takes.
 */
import type { MixedInstancesPolicy } from '@aws-sdk/client-auto-scaling';
import type { GroupDescription } from './environment';
import { serviceError } from './errors';
import { capacityUnits, countsTowardsCapacity, type Instance, type PurchaseOption } from './instances';

export interface InstancesDistributionState {
  onDemandAllocationStrategy: string;
  onDemandBaseCapacity: number;
  onDemandPercentageAboveBaseCapacity: number;
  spotAllocationStrategy: string;
  spotInstancePools?: number;
  spotMaxPrice?: string;
}

export interface MixedInstancesPolicyState {
  launchTemplate: { id: string; name: string; version: string };
  /** Highest priority first; empty: the launch template's own instance type. */
  overrides: { instanceType: string; weightedCapacity?: number }[];
  distribution: InstancesDistributionState;
}

/**
 * The defaults AWS documents for each InstancesDistribution field
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstancesDistribution.html): `prioritized`
 * (groups without InstanceRequirements), base 0, 100 % On-Demand above it, `lowest-price` Spot with 2 pools.
 */
export const DEFAULT_DISTRIBUTION: InstancesDistributionState = {
  onDemandAllocationStrategy: 'prioritized',
  onDemandBaseCapacity: 0,
  onDemandPercentageAboveBaseCapacity: 100,
  spotAllocationStrategy: 'lowest-price',
  spotInstancePools: 2,
};

const SPOT_STRATEGIES = [
  'lowest-price',
  'capacity-optimized',
  'capacity-optimized-prioritized',
  'price-capacity-optimized',
];

const validation = (message: string): Error => serviceError('autoscaling', 'ValidationError', message);

/** The policy a group description gives, over the group's own template where it leaves parts out. */
export function mixedInstancesPolicyOf(description: GroupDescription): MixedInstancesPolicyState | undefined {
  const policy = description.mixedInstancesPolicy;
  if (!policy) return undefined;
  const given = policy === true ? {} : policy;
  const distribution = { ...DEFAULT_DISTRIBUTION, ...given.instancesDistribution };
  checkDistribution(distribution, given.overrides ?? []);
  return {
    launchTemplate: {
      id: given.launchTemplate?.id ?? description.launchTemplateId,
      name: given.launchTemplate?.name ?? description.launchTemplateName,
      version: given.launchTemplate?.version ?? description.launchTemplateVersion ?? '1',
    },
    overrides: (given.overrides ?? []).map((override) => ({ ...override })),
    distribution: withSpotPools(distribution),
  };
}

/** SpotInstancePools applies only to `lowest-price` (API reference); it is dropped otherwise. */
function withSpotPools(distribution: InstancesDistributionState): InstancesDistributionState {
  if (distribution.spotAllocationStrategy === 'lowest-price')
    return { ...distribution, spotInstancePools: distribution.spotInstancePools ?? 2 };
  const rest = { ...distribution };
  delete rest.spotInstancePools;
  return rest;
}

/** InstancesDistribution's documented ranges and values; texts UNCONFIRMED. */
function checkDistribution(
  distribution: InstancesDistributionState,
  overrides: MixedInstancesPolicyState['overrides'],
): void {
  const percentage = distribution.onDemandPercentageAboveBaseCapacity;
  if (!Number.isInteger(percentage) || percentage < 0 || percentage > 100)
    throw validation('OnDemandPercentageAboveBaseCapacity must be between 0 and 100.');
  if (!Number.isInteger(distribution.onDemandBaseCapacity) || distribution.onDemandBaseCapacity < 0)
    throw validation('OnDemandBaseCapacity must be at least 0.');
  if (!['prioritized', 'lowest-price'].includes(distribution.onDemandAllocationStrategy))
    throw validation(`Invalid OnDemandAllocationStrategy ${distribution.onDemandAllocationStrategy}.`);
  if (!SPOT_STRATEGIES.includes(distribution.spotAllocationStrategy))
    throw validation(`Invalid SpotAllocationStrategy ${distribution.spotAllocationStrategy}.`);
  const pools = distribution.spotInstancePools;
  if (pools !== undefined && (pools < 1 || pools > 20))
    throw validation('SpotInstancePools must be between 1 and 20.');
  // LaunchTemplateOverrides: WeightedCapacity 1–999, and given for every override or none.
  const weighted = overrides.filter((override) => override.weightedCapacity !== undefined);
  if (weighted.length > 0 && weighted.length < overrides.length)
    throw validation('WeightedCapacity must be specified for all or none of the instance types.');
  for (const { weightedCapacity } of weighted) {
    if (
      !Number.isInteger(weightedCapacity) ||
      (weightedCapacity as number) < 1 ||
      (weightedCapacity as number) > 999
    )
      throw validation('WeightedCapacity must be between 1 and 999.');
  }
}

/**
 * UpdateAutoScalingGroup's MixedInstancesPolicy: "Any properties that you don't specify are not changed"
 * (UpdateAutoScalingGroup API reference); the policy's LaunchTemplate is "Required when creating a mixed
 * instances policy" (MixedInstancesPolicy API reference), so a group without a policy needs one. Parts
 * given replace what they name: the specification, the overrides, each distribution field.
 */
export function updatedPolicy(
  current: MixedInstancesPolicyState | undefined,
  change: MixedInstancesPolicy,
  resolveSpec: (spec: { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string }) => {
    id: string;
    name: string;
    version: string;
  },
): MixedInstancesPolicyState {
  const spec = change.LaunchTemplate?.LaunchTemplateSpecification;
  if (!current && !spec) {
    // Text UNCONFIRMED.
    throw validation('A launch template must be specified when creating a mixed instances policy.');
  }
  const overrides =
    change.LaunchTemplate?.Overrides?.map((override) => ({
      instanceType: override.InstanceType ?? '',
      weightedCapacity:
        override.WeightedCapacity === undefined ? undefined : Number(override.WeightedCapacity),
    })) ??
    current?.overrides ??
    [];
  if (overrides.some((override) => override.instanceType === '')) {
    throw validation('InstanceRequirements are not modelled: every override must name an InstanceType.');
  }
  const given = change.InstancesDistribution ?? {};
  const distribution: InstancesDistributionState = {
    ...(current?.distribution ?? DEFAULT_DISTRIBUTION),
    ...definedOnly({
      onDemandAllocationStrategy: given.OnDemandAllocationStrategy,
      onDemandBaseCapacity: given.OnDemandBaseCapacity,
      onDemandPercentageAboveBaseCapacity: given.OnDemandPercentageAboveBaseCapacity,
      spotAllocationStrategy: given.SpotAllocationStrategy,
      spotInstancePools: given.SpotInstancePools,
      spotMaxPrice: given.SpotMaxPrice,
    }),
  };
  checkDistribution(distribution, overrides);
  return {
    launchTemplate: spec ? resolveSpec(spec) : (current as MixedInstancesPolicyState).launchTemplate,
    overrides: overrides.map((override) =>
      override.weightedCapacity === undefined ? { instanceType: override.instanceType } : override,
    ),
    distribution: withSpotPools(distribution),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** DescribeAutoScalingGroups' MixedInstancesPolicy, every distribution field filled in. */
export function describePolicy(policy: MixedInstancesPolicyState): MixedInstancesPolicy {
  const { distribution } = policy;
  return {
    LaunchTemplate: {
      LaunchTemplateSpecification: {
        LaunchTemplateId: policy.launchTemplate.id,
        LaunchTemplateName: policy.launchTemplate.name,
        Version: policy.launchTemplate.version,
      },
      ...(policy.overrides.length > 0
        ? {
            Overrides: policy.overrides.map((override) => ({
              InstanceType: override.instanceType,
              ...(override.weightedCapacity === undefined
                ? {}
                : { WeightedCapacity: String(override.weightedCapacity) }),
            })),
          }
        : {}),
    },
    InstancesDistribution: {
      OnDemandAllocationStrategy: distribution.onDemandAllocationStrategy,
      OnDemandBaseCapacity: distribution.onDemandBaseCapacity,
      OnDemandPercentageAboveBaseCapacity: distribution.onDemandPercentageAboveBaseCapacity,
      SpotAllocationStrategy: distribution.spotAllocationStrategy,
      ...(distribution.spotInstancePools === undefined
        ? {}
        : { SpotInstancePools: distribution.spotInstancePools }),
      ...(distribution.spotMaxPrice === undefined ? {} : { SpotMaxPrice: distribution.spotMaxPrice }),
    },
  };
}

export interface LaunchChoice {
  purchaseOption: PurchaseOption;
  /** Undefined: the launch template's instance type. */
  instanceType?: string;
  weightedCapacity?: number;
}

/**
 * What the next launch takes. The split (https://docs.aws.amazon.com/autoscaling/ec2/userguide/mixed-instances-groups-set-up-overview.html):
 * the first `OnDemandBaseCapacity` units are On-Demand, then `OnDemandPercentageAboveBaseCapacity` percent
 * of the rest. UNCONFIRMED: the rounding of a fractional On-Demand share; modelled as rounding up (in favour
 * of On-Demand). On-Demand types follow the overrides' priority (`prioritized`). UNCONFIRMED: which Spot
 * pool a strategy picks depends on prices and capacity the simulation does not have; modelled as the
 * overrides taken in turn (the first `SpotInstancePools` of them for `lowest-price`).
 */
export function nextLaunch(
  policy: MixedInstancesPolicyState,
  desired: number,
  instances: Iterable<Instance>,
): LaunchChoice {
  const counted = [...instances].filter(countsTowardsCapacity);
  const units = (option: PurchaseOption): number =>
    counted
      .filter((instance) => (instance.purchaseOption ?? 'on-demand') === option)
      .reduce((sum, instance) => sum + capacityUnits(instance), 0);
  const { onDemandBaseCapacity: base, onDemandPercentageAboveBaseCapacity: percentage } = policy.distribution;
  const onDemandTarget =
    Math.min(desired, base) + Math.ceil((Math.max(0, desired - base) * percentage) / 100);
  const purchaseOption: PurchaseOption = units('on-demand') < onDemandTarget ? 'on-demand' : 'spot';
  const overrides = policy.overrides;
  if (overrides.length === 0) return { purchaseOption };
  let override = overrides[0];
  if (purchaseOption === 'spot') {
    const pools =
      policy.distribution.spotAllocationStrategy === 'lowest-price'
        ? overrides.slice(0, policy.distribution.spotInstancePools ?? 2)
        : overrides;
    const spotCount = counted.filter((instance) => instance.purchaseOption === 'spot').length;
    override = pools[spotCount % pools.length];
  }
  return {
    purchaseOption,
    instanceType: override?.instanceType,
    weightedCapacity: override?.weightedCapacity,
  };
}
