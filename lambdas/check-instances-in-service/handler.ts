import { instancesIn } from '../shared/aws/auto-scaling';
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
  // Counts only: the detail lands in the execution state, which must not grow with the fleet (I7).
  const notes: string[] = [];
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

export const handler = defineHandler('check-instances-in-service', InputSchema, run);
