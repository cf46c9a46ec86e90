import type { AccountSnapshot } from '../account/account';
import type { EnvironmentDescription } from '../account/environment';

type Group = AccountSnapshot['groups'][string];

/**
 * What keeps the account from the shape every deployment starts from and ends in (docs/design.md, "The
 * flow": one group serves, the other waits at zero), once every execution has ended: empty when it is
 * settled. Written from that shape, not from what any step does, so that it can judge a recovery
 * (docs/recovery.md) or a stop. An account that never served (a first deployment stopped before its
 * shift) is settled when nothing changed.
 */
export function unsettledProblems(
  initial: AccountSnapshot,
  final: AccountSnapshot,
  environment: EnvironmentDescription,
): string[] {
  const main = environment.mainTargetGroup.arn;
  const synthetic = environment.syntheticTargetGroup.arn;
  const groups = Object.values(final.groups);
  const attachedTo = (group: Group, arn: string) =>
    group.trafficSources.some((source) => source.identifier === arn && source.state !== 'Removed');
  const live = (group: Group) =>
    group.instances.filter((instance) => instance.lifecycleState !== 'Terminated');
  const problems: string[] = [];

  const serving = groups.filter((group) => attachedTo(group, main));
  if (serving.length > 1) problems.push(`both groups are attached to the main target group`);
  if (serving.length === 0) {
    const servedBefore = Object.values(initial.groups).some((group) => attachedTo(group, main));
    if (servedBefore) problems.push('no group is attached to the main target group');
  }
  for (const group of serving) {
    const instances = live(group);
    const notServing = instances.filter(
      (instance) => instance.lifecycleState !== 'InService' || instance.healthStatus !== 'Healthy',
    );
    if (notServing.length > 0) {
      const states = [...new Set(notServing.map((instance) => instance.lifecycleState))].join(', ');
      problems.push(`${group.name} serves with ${notServing.length} instance(s) not in service (${states})`);
    }
    if (group.desired === 0 || instances.length !== group.desired) {
      problems.push(
        `${group.name} serves with ${instances.length} instance(s) for a desired ${group.desired}`,
      );
    }
    if (new Set(instances.map((instance) => instance.amiId)).size > 1) {
      problems.push(`${group.name} serves two versions at once`);
    }
  }
  for (const group of groups) {
    if (attachedTo(group, synthetic))
      problems.push(`${group.name} is still attached to the synthetic target group`);
    const before = initial.groups[group.name]?.suspendedProcesses ?? [];
    const suspended = group.suspendedProcesses.filter((process) => !before.includes(process));
    if (suspended.length > 0)
      problems.push(`${group.name} has processes left suspended: ${suspended.join(', ')}`);
    if (serving.includes(group)) continue;
    const standing = live(group);
    if (group.desired !== 0 || standing.length > 0) {
      problems.push(
        `${group.name} serves nothing but keeps ${standing.length} instance(s), desired ${group.desired}`,
      );
    }
  }
  // A deployment restores the listener's default actions exactly as it read them (a weighted shift, issue 14).
  if (JSON.stringify(final.listener.defaultActions) !== JSON.stringify(initial.listener.defaultActions)) {
    problems.push('the listener default actions are not as they were before the deployment');
  }
  return problems;
}
