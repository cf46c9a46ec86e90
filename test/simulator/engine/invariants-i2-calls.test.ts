/**
 * I2 (production untouched until the new version is proven) is judged on the orchestrator's own calls.
 * Calls that change production without naming its group (by instance id, or through its launch template's
 * versions) used to pass unseen (found in review). Only operations the simulated account serves are tried.
 */
import { InvariantMonitor, type AccountView, type GroupView } from '../../../simulator/engine/invariants';

const MAIN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/main/1';

function group(name: string, ids: string[], attached: boolean, version = '1'): GroupView {
  return {
    name,
    min: 0,
    desired: ids.length,
    max: 10,
    launchTemplate: { id: `lt-${name}`, version },
    instances: ids.map((id) => ({ id, lifecycleState: 'InService' })),
    trafficSources: attached ? [{ identifier: MAIN, state: 'InService' }] : [],
  };
}

const steady = (version = '1'): AccountView => ({
  groups: { blue: group('blue', ['b1', 'b2'], true, version), green: group('green', [], false) },
  targetGroups: {
    [MAIN]: {
      targets: [
        { id: 'b1', state: 'healthy' },
        { id: 'b2', state: 'healthy' },
      ],
    },
  },
});

/** The I2 violations the monitor reports for one orchestrator call during the synthetic checks. */
function i2For(operation: string, input: Record<string, unknown>, version?: string): string[] {
  const monitor = new InvariantMonitor(steady(version), MAIN);
  monitor.stateEntered('Run synthetic checks');
  monitor.orchestratorChanged(operation, input, 5, 'Run synthetic checks');
  return monitor.violations.filter((v) => v.invariant === 'I2').map((v) => v.message);
}

describe('I2 judged on calls sees production changes that do not name the group', () => {
  it('terminating a production instance by id (TerminateInstanceInAutoScalingGroup)', () => {
    expect(
      i2For('autoscaling:TerminateInstanceInAutoScalingGroup', {
        InstanceId: 'b1',
        ShouldDecrementDesiredCapacity: true,
      }),
    ).not.toEqual([]);
  });

  it('a new version of the launch template production launches from as $Latest', () => {
    expect(
      i2For(
        'ec2:CreateLaunchTemplateVersion',
        { LaunchTemplateId: 'lt-blue', SourceVersion: '1', LaunchTemplateData: { ImageId: 'ami-new' } },
        '$Latest',
      ),
    ).not.toEqual([]);
  });
});
