import type { ConfiguredProps } from '../../infra/props';
import type { EnvironmentDescription } from '../../simulator/account/environment';

/** The orchestrator's configuration for a simulated account, as a user would write it for theirs. */
export function simulatedDeployment(environment: EnvironmentDescription): ConfiguredProps {
  return {
    applicationName: 'webapp',
    groups: { blue: environment.groups.blue.name, green: environment.groups.green.name },
    targetGroups: { main: environment.mainTargetGroup.arn, synthetic: environment.syntheticTargetGroup.arn },
    amiSelector: { tag: { key: 'Application', value: 'webapp' } },
    syntheticChecks: {
      endpoint: `http://${environment.loadBalancer.dnsName}`,
      checks: [{ path: '/health' }, { path: '/', bodyIncludes: '"version"' }],
      versionHeader: 'X-App-Version',
    },
    monitoring: { alarmNames: environment.alarms.map((alarm) => alarm.name), rollbackWindowMinutes: 60 },
    // The templates' instance profile role, which launching passes to EC2 (the pre-flight check's concern).
    instanceRoleArns: (environment.instanceProfiles ?? []).map((profile) => profile.roleArn),
  };
}

/** The `npm run ops` options that name an environment's two groups and its target groups. */
export function groupArguments(environment: EnvironmentDescription): string[] {
  return [
    '--groups',
    `${environment.groups.blue.name},${environment.groups.green.name}`,
    '--main-target-group',
    environment.mainTargetGroup.arn,
    '--synthetic-target-group',
    environment.syntheticTargetGroup.arn,
  ];
}
