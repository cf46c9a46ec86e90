import { describeGroups } from '../shared/aws/auto-scaling';
import { alarmNameOf, alarmStates } from '../shared/aws/cloudwatch';
import { PreflightCheckFailedError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import type { Settings } from '../shared/settings';
import {
  instanceRefreshProblems,
  instanceRoleProblems,
  launchTemplateProblems,
  suspendedProcessProblems,
} from './groups';
import { loadBalancerProblems } from './load-balancer';
import { InputSchema, type Input } from './input';

/**
 * Before anything changes: what would otherwise fail only half-way (some of it after users reached the new
 * version) is checked now, and a deployment that cannot succeed is refused with every fix at once (I8).
 * Read-only.
 */

async function run({ settings, roles }: Input): Promise<{ checked: string[] }> {
  const groups = await describeGroups([settings.groups.blue, settings.groups.green]);
  const standby = groups.find((group) => group.AutoScalingGroupName === roles.standby.groupName);
  const problems = [
    ...(await loadBalancerProblems(settings)),
    ...(await alarmProblems(settings)),
    ...suspendedProcessProblems(groups),
    ...(await instanceRefreshProblems(groups)),
    ...(standby ? launchTemplateProblems(standby) : []),
    ...(standby ? await instanceRoleProblems(settings, standby) : []),
  ];
  if (problems.length > 0) {
    throw new PreflightCheckFailedError(`Refused before any change: ${problems.join(' ')}`);
  }
  return { checked: CHECKS };
}

const CHECKS = [
  'target groups exist and take instances',
  'the header rule reaches the synthetic target group',
  'alarms exist and none is firing yet',
  'no blocking process suspended',
  'no instance refresh running',
  'the standby group launches from one launch template',
  'the instance profile role may be passed',
];

/**
 * A watched alarm that does not exist would fail the deployment after the traffic shift, and one already in
 * ALARM would roll the new version back for what the serving version does.
 */
async function alarmProblems(settings: Settings): Promise<string[]> {
  const names = [...new Set(settings.monitoring.alarmNames.map(alarmNameOf))];
  if (names.length === 0) return [];
  const states = await alarmStates(names);
  const found = new Set(states.map((alarm) => alarm.name));
  const missing = names.filter((name) => !found.has(name));
  const firing = states.filter((alarm) => alarm.state === 'ALARM').map((alarm) => `"${alarm.name}"`);
  return [
    ...(missing.length === 0
      ? []
      : [
          `monitoring.alarmNames: ${missing.map((name) => `"${name}"`).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist ` +
            `in this account and Region. Correct the name (an alarm's name or ARN), or create the alarm, then deploy the orchestrator again.`,
        ]),
    ...(firing.length === 0
      ? []
      : [
          `${firing.join(', ')} ${firing.length === 1 ? 'is' : 'are'} in ALARM before anything changed: the new version ` +
            `would be rolled back for what the serving version does. Start the deployment once ${firing.length === 1 ? 'it is' : 'they are'} OK.`,
        ]),
  ];
}

export const handler = defineHandler('preflight-checks', InputSchema, run);
