import { isAttached, type AttachedTargetGroup } from '../../lambdas/shared/aws/auto-scaling';
import {
  targetGroupArnSchema,
  targetGroupLocation,
  targetGroupsOutside,
} from '../../lambdas/shared/settings';
import { exclusive, required } from './args';
import { regionOf, regionOption } from './arns';
import { checkTargetGroupsWhere, readDeploymentNames } from './config-file';
import { UsageError } from './io';

/** The options that name the two groups and the target groups, shared by promote and rollback. */
export const GROUP_OPTIONS = {
  config: { type: 'string' },
  groups: { type: 'string' },
  'main-target-group': { type: 'string' },
  'synthetic-target-group': { type: 'string' },
  region: { type: 'string' },
} as const;

export const GROUP_USAGE = `The groups and target groups, either way:
  --config FILE                       the configuration file given to cdk deploy
  --groups BLUE,GREEN                 the two Auto Scaling groups
    --main-target-group ARN|NAME      and the listener's default target group
    --synthetic-target-group ARN|NAME and the target group behind the Synthetic: True rule
  --region REGION                     where the groups are (default: the Region of the target group
                                      ARN, else AWS_REGION or the profile's)`;

export interface GroupTargets {
  groups: [string, string];
  /** ARN, or name (the reference environment's target groups have no ARN before deployment). */
  mainTargetGroup: string;
  syntheticTargetGroup: string;
  region?: string;
  /** From a configuration file: whether it sets an approval gate (unknown when the groups are named). */
  approvalGate?: boolean;
}

interface GroupValues {
  config?: string;
  groups?: string;
  'main-target-group'?: string;
  'synthetic-target-group'?: string;
  region?: string;
}

const TARGET_GROUP_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

export function parseGroupTargets(values: GroupValues): GroupTargets {
  const explicit = values.groups ?? values['main-target-group'] ?? values['synthetic-target-group'];
  exclusive(
    { '--config': values.config, '--groups/--…-target-group': explicit },
    'give --config FILE, or --groups with --main-target-group and --synthetic-target-group',
  );
  const names = values.config === undefined ? undefined : readDeploymentNames(values.config);
  const targets = names
    ? {
        groups: [names.groups.blue, names.groups.green] as [string, string],
        mainTargetGroup: names.targetGroups.main,
        syntheticTargetGroup: names.targetGroups.synthetic,
        approvalGate: names.approvalGate,
      }
    : {
        groups: groupsOption(
          required(values.groups, '--groups', 'webapp-blue,webapp-green', 'without --config'),
        ),
        mainTargetGroup: targetGroupOption(
          required(values['main-target-group'], '--main-target-group', 'webapp-main', 'with --groups'),
          '--main-target-group',
        ),
        syntheticTargetGroup: targetGroupOption(
          required(
            values['synthetic-target-group'],
            '--synthetic-target-group',
            'webapp-synthetic',
            'with --groups',
          ),
          '--synthetic-target-group',
        ),
      };
  if (targets.mainTargetGroup === targets.syntheticTargetGroup) {
    throw new UsageError('the main and synthetic target groups must be two different target groups');
  }
  const region = values.region !== undefined ? regionOption(values.region) : undefined;
  if (names && values.config !== undefined) {
    checkTargetGroupsWhere(values.config, names, { region });
  } else {
    checkTargetGroupOptions(targets.mainTargetGroup, targets.syntheticTargetGroup, region);
  }
  const arn = [targets.syntheticTargetGroup, targets.mainTargetGroup].find((ref) => ref.startsWith('arn:'));
  return { ...targets, region: region ?? (arn && regionOf(arn)) };
}

/** Target group ARNs given as options: in one Region and account, and in --region when it is given. */
function checkTargetGroupOptions(main: string, synthetic: string, region: string | undefined): void {
  const mainLocation = targetGroupLocation(main);
  const checks = [
    mainLocation && {
      region: mainLocation.region,
      account: mainLocation.account,
      source: `as --main-target-group is`,
      fix: 'give the two target groups of one load balancer',
    },
    region !== undefined && {
      region,
      source: 'as --region says',
      fix: 'give the --region of the groups and target groups',
    },
  ];
  for (const expected of checks) {
    if (!expected) continue;
    const [problem] = targetGroupsOutside({ main, synthetic }, expected);
    if (problem) {
      const option =
        problem.field === 'targetGroups.main' ? '--main-target-group' : '--synthetic-target-group';
      throw new UsageError(`${option} ${problem.problem}`);
    }
  }
}

function groupsOption(value: string): [string, string] {
  const groups = value.split(',').map((name) => name.trim());
  if (groups.length !== 2 || groups.some((name) => name === '') || groups[0] === groups[1]) {
    throw new UsageError(
      `--groups takes the two group names separated by a comma, e.g. webapp-blue,webapp-green; got "${value}"`,
    );
  }
  return [groups[0], groups[1]];
}

function targetGroupOption(value: string, option: string): string {
  if (value.startsWith('arn:')) {
    const parsed = targetGroupArnSchema.safeParse(value);
    if (!parsed.success) throw new UsageError(`${option} ${parsed.error.issues[0]?.message}, got "${value}"`);
  } else if (!TARGET_GROUP_NAME.test(value)) {
    throw new UsageError(
      `${option} takes a target group ARN or name (1–32 letters, digits, hyphens), got "${value}"`,
    );
  }
  return value;
}

/** Whether a traffic source ARN is the target group given by ARN or by name (`…:targetgroup/NAME/id`). */
export function isTargetGroup(ref: string, arn: string): boolean {
  return ref.startsWith('arn:') ? ref === arn : arn.split(':').pop()?.split('/')[1] === ref;
}

/** Attached (Adding, Added, InService) to the target group, and not on its way out. */
export function attachedTo(sources: readonly AttachedTargetGroup[], targetGroup: string): boolean {
  return sources.some((source) => isTargetGroup(targetGroup, source.arn) && isAttached(source));
}
