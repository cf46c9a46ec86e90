import { instancesIn, instancesOf } from '../shared/aws/auto-scaling';
import { abandonedLaunches } from '../shared/aws/scaling-activities';
import { NewInstancesFailedError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { describeForWait } from '../shared/operator-request';
import { evaluateWait, type WaitState } from '../shared/wait';
import { InputSchema, type Input } from './input';

/**
 * Wait until new instances are in service (docs/design.md#the-flow): polls until the group runs the desired
 * number of healthy InService instances, all on the new launch template version. An InService instance on
 * another version (launched before the group was pointed at the new one) would take production traffic with
 * the old AMI after the shift. Read-only.
 */

async function run(input: Input): Promise<WaitState> {
  const { groupName, launchTemplateVersion, desiredCapacity } = input;
  const version = String(launchTemplateVersion);
  const group = await describeForWait(
    groupName,
    input.operatorRequestGroup,
    `the instances of ${groupName} to be in service`,
  );
  let ready = 0;
  let unhealthy = 0;
  let otherVersion = 0;
  for (const instance of instancesIn(group, 'InService')) {
    if (instance.LaunchTemplate?.Version !== version) otherVersion += 1;
    else if (instance.HealthStatus === 'Healthy') ready += 1;
    else unhealthy += 1;
  }
  const held = instancesIn(group, 'Pending:Wait', 'Pending:Proceed').length;
  // An instance of the new version leaving the group before it served: a launch hook may have abandoned it.
  const leaving = instancesOf(group).some(
    (instance) =>
      instance.LaunchTemplate?.Version === version && /^Terminat/.test(instance.LifecycleState ?? ''),
  );
  if (leaving && ready < desiredCapacity) await failOnAbandonedLaunches(input);
  // Counts only: the detail lands in the execution state, which must not grow with the fleet (I7).
  const notes: string[] = [];
  if (held > 0) notes.push(`${held} held by a launch lifecycle hook`);
  if (unhealthy > 0) notes.push(`${unhealthy} InService but unhealthy`);
  if (otherVersion > 0) {
    notes.push(`${otherVersion} InService instance${otherVersion === 1 ? '' : 's'} on another version`);
  }
  const detail =
    `${ready} of ${desiredCapacity} instances in service on launch template version ${version}` +
    (notes.length > 0 ? ` (${notes.join('; ')})` : '');
  return evaluateWait(
    `${desiredCapacity} instances of ${groupName} in service on launch template version ${version}`,
    input.wait,
    input.timeoutSeconds,
    { done: ready >= desiredCapacity && otherVersion === 0, detail },
  );
}

/**
 * A launch hook that abandons a launch (the team's check refused the instance, or its heartbeat timed out
 * with ABANDON as the default result) terminates the instance, and the group launches another that the hook
 * judges the same way: the new version is not going to come up, so the wait fails now, as an unhealthy
 * version, rather than at its deadline.
 */
async function failOnAbandonedLaunches(input: Input): Promise<void> {
  const since = Date.parse(input.launchedAt ?? input.wait.startedAt ?? '');
  if (Number.isNaN(since)) return;
  const abandoned = await abandonedLaunches(input.groupName, since);
  if (abandoned.length === 0) return;
  throw new NewInstancesFailedError(
    `${abandoned.length} launch${abandoned.length === 1 ? '' : 'es'} of ${input.groupName} on launch template ` +
      `version ${input.launchTemplateVersion} abandoned by a launch lifecycle hook: ` +
      `${abandoned[0]?.StatusMessage ?? ''}. The new version failed the team's launch checks.`,
  );
}

export const handler = defineHandler('check-instances-in-service', InputSchema, run);
