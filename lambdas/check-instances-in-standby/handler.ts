import { instancesOf, lifecycleSummary } from '../shared/aws/auto-scaling';
import { defineHandler } from '../shared/handler';
import { parkedForShare } from '../shared/old-fleet';
import { describeForWait } from '../shared/operator-request';
import { evaluateWait, type WaitState } from '../shared/wait';
import { InputSchema, type Input } from './input';

/**
 * Done when every instance of the (old) group is in Standby, or, for a gradual shift's share, when that
 * share of it is and none is still on its way. EnteringStandby instances are still draining their
 * connections for the deregistration delay; any other state means an instance was not parked.
 */
async function run(input: Input): Promise<WaitState> {
  const group = await describeForWait(
    input.groupName,
    input.operatorRequestGroup,
    `the instances of ${input.groupName} to reach Standby`,
  );
  const instances = instancesOf(group);
  const standby = instances.filter((instance) => instance.LifecycleState === 'Standby').length;
  const entering = instances.filter((instance) => instance.LifecycleState === 'EnteringStandby').length;
  const elsewhere = instances.filter(
    (instance) => instance.LifecycleState !== 'Standby' && instance.LifecycleState !== 'EnteringStandby',
  );

  let detail = `${standby} of ${instances.length} instances of ${input.groupName} in Standby`;
  if (entering > 0) detail += ` (${entering} still draining)`;
  if (elsewhere.length > 0) {
    detail += `; not on their way to Standby: ${lifecycleSummary(elsewhere)}`;
  }

  const wanted = input.share === undefined ? instances.length : parkedForShare(group, input.share);
  if (input.share !== undefined) detail += ` (${input.share}% of the fleet: ${wanted})`;
  return evaluateWait(
    `the instances of ${input.groupName} to reach Standby`,
    input.wait,
    input.timeoutSeconds,
    { done: entering === 0 && standby >= wanted, detail },
  );
}

export const handler = defineHandler('check-instances-in-standby', InputSchema, run);
