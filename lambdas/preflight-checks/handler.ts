import { describeGroups } from '../shared/aws/auto-scaling';
import { PreflightCheckFailedError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import {
  instanceRefreshProblems,
  instanceRoleProblems,
  launchTemplateProblems,
  suspendedProcessProblems,
} from './groups';
import { InputSchema, type Input } from './input';
import { leftoverProcessNotes, lifecycleHookProblems, warmPoolProblems } from './production-features';
import { logger } from '../shared/logger';

/**
 * Before anything changes: what would otherwise fail only half-way (some of it after users reached the new
 * version) is checked now, and a deployment that cannot succeed is refused with every fix at once (I8): the
 * groups' problems found here and the load balancer's and alarms' the step before found
 * (`check-traffic-and-alarms`, `problemsFound`). Read-only.
 */

async function run({
  groups: names,
  instanceRoleArns,
  roles,
  problemsFound,
  waits,
}: Input): Promise<{ checked: string[]; notes: string[] }> {
  const groups = await describeGroups([names.blue, names.green]);
  const standby = groups.find((group) => group.AutoScalingGroupName === roles.standby.groupName);
  const active = groups.find((group) => group.AutoScalingGroupName === roles.active?.groupName);
  const problems = [
    ...problemsFound,
    ...suspendedProcessProblems(groups),
    ...(await instanceRefreshProblems(groups)),
    ...(await warmPoolProblems(groups)),
    ...(standby ? launchTemplateProblems(standby) : []),
    ...(standby ? await instanceRoleProblems(instanceRoleArns, standby) : []),
    ...(standby ? await lifecycleHookProblems({ standby, active }, waits) : []),
  ];
  if (problems.length > 0) {
    throw new PreflightCheckFailedError(`Refused before any change: ${problems.join(' ')}`);
  }
  const notes = leftoverProcessNotes(active);
  if (notes.length > 0) logger.warn('Pre-flight notes', { notes });
  return { checked: CHECKS, notes };
}

const CHECKS = [
  'no blocking process suspended',
  'no instance refresh running',
  'no warm pool',
  'the standby group launches from one launch template',
  'the waits outlast the lifecycle hooks',
  'the instance profile role may be passed',
];

export const handler = defineHandler('preflight-checks', InputSchema, run);
