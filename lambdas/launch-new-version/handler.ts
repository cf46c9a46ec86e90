import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  capacityOf,
  clearOperatorRequest,
  describeEachGroup,
  pointGroupAt,
} from '../shared/aws/auto-scaling';
import { createVersionWithImage, launchTemplateClientToken, launchTemplateVersion } from '../shared/aws/ec2';
import { resumeSuspendedByDeployment } from '../shared/aws/deployment-processes';
import { AwsRequestError } from '../shared/errors';
import { logger } from '../shared/logger';
import { groupTemplateOf, launchTemplateOf } from '../shared/group-template';
import { defineHandler } from '../shared/handler';
import type { Capacity } from '../shared/settings/fields';
import { InputSchema, type Input } from './input';

/**
 * Launch new version on standby group (docs/design.md#the-flow): a launch template version that differs from
 * the group's current one only in its AMI, and the standby group pointed at it by number (never $Latest: an
 * unrelated new version must not change what a later scale-out launches) with the target sizes.
 *
 * Idempotent (I6) in both halves: a version that already carries the AMI is reused, and the creation
 * carries a client token derived from the execution, the group and the AMI, so an invocation that died
 * between creating the version and pointing the group gets the same version back from EC2.
 */

export interface LaunchResult {
  launchTemplateId: string;
  /** The version the group now launches. */
  version: number;
  /** The version it was copied from. */
  sourceVersion: number;
  /**
   * When this step pointed the group (ISO 8601): the launches since are the new version's. A repeated run
   * reports its own time, later by seconds, which can only make a wait miss an abandoned launch and time out.
   */
  launchedAt: string;
  /**
   * Processes an interrupted deployment had left suspended (and recorded) on this group or on the serving
   * one, resumed now: none, normally. Production gets back what the team had, never more.
   */
  resumedProcesses: { groupName: string; processes: string[] }[];
}

/** Ties a created version to its source so a repeated invocation can report the same source. */
const DESCRIPTION_SOURCE = / from version (\d+)$/;

async function run(input: Input): Promise<LaunchResult> {
  const { groupName, amiId, capacity, execution, roles } = input;
  const [group, serving] = await describeEachGroup([
    groupName,
    ...(roles.active ? [roles.active.groupName] : []),
  ]);
  const template = launchTemplateOf(group);

  // A promote/rollback tag left by an operator on this group belongs to an earlier deployment, and so do
  // processes a deployment suspended while it was an old fleet in Standby (an interrupted deployment): the
  // new version must scale and heal normally once it serves. This group is not production yet (I2). The
  // processes the team suspended stay as they are.
  await clearOperatorRequest(group);
  const resumedProcesses = await resumeLeftovers([group, ...(serving ? [serving] : [])]);

  const current = await launchTemplateVersion(template, template.Version ?? '$Default');
  const launchTemplateId = current.LaunchTemplateId ?? template.LaunchTemplateId;
  if (!launchTemplateId) {
    throw new AwsRequestError(
      `DescribeLaunchTemplateVersions returned no launch template id for ${groupName}; run the step again.`,
    );
  }
  const currentNumber = current.VersionNumber ?? 0;

  let version: number;
  let sourceVersion: number;
  if (current.LaunchTemplateData?.ImageId === amiId) {
    // Either this step already ran (the group points at the version it created) or the group already
    // launches this AMI: a new identical version would only pile up toward the 10,000-version quota.
    version = currentNumber;
    const recorded = DESCRIPTION_SOURCE.exec(current.VersionDescription ?? '')?.[1];
    sourceVersion = recorded ? Number(recorded) : currentNumber;
  } else {
    sourceVersion = currentNumber;
    version = await createVersionWithImage(
      launchTemplateId,
      sourceVersion,
      amiId,
      launchTemplateClientToken(execution.id, groupName, amiId),
      `asg-blue-green ${execution.name}: ${amiId} from version ${sourceVersion}`,
    );
  }

  const launchedAt = new Date().toISOString();
  if (!pointsAt(group, launchTemplateId, version, capacity)) {
    await pointGroupAt(group, launchTemplateId, version, capacity);
  }
  return { launchTemplateId, version, sourceVersion, launchedAt, resumedProcesses };
}

async function resumeLeftovers(
  groups: readonly AutoScalingGroup[],
): Promise<LaunchResult['resumedProcesses']> {
  const resumed: LaunchResult['resumedProcesses'] = [];
  for (const group of groups) {
    const processes = await resumeSuspendedByDeployment(group);
    if (processes.length === 0) continue;
    const groupName = group.AutoScalingGroupName ?? '';
    resumed.push({ groupName, processes });
    logger.warn('An interrupted deployment had left processes suspended; resumed them', {
      groupName,
      processes,
    });
  }
  return resumed;
}

/** True when a previous invocation already pointed the group: a repeated call then changes nothing. */
function pointsAt(
  group: AutoScalingGroup,
  launchTemplateId: string,
  version: number,
  capacity: Capacity,
): boolean {
  const current = capacityOf(group);
  const template = groupTemplateOf(group);
  return (
    template?.LaunchTemplateId === launchTemplateId &&
    template.Version === String(version) &&
    current.min === capacity.min &&
    current.desired === capacity.desired &&
    current.max === capacity.max
  );
}

export const handler = defineHandler('launch-new-version', InputSchema, run);
