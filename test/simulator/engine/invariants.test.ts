import { InvariantMonitor, type AccountView, type GroupView } from '../../../simulator/engine/invariants';

const MAIN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/main/1';

function group(
  name: string,
  instances: [string, string][],
  attached: boolean,
  desired = instances.length,
): GroupView {
  return {
    name,
    min: 0,
    desired,
    max: 10,
    launchTemplate: { id: `lt-${name}`, version: '1' },
    instances: instances.map(([id, lifecycleState]) => ({ id, lifecycleState })),
    trafficSources: attached ? [{ identifier: MAIN, state: 'InService' }] : [],
  };
}

function account(blue: GroupView, green: GroupView, targets: [string, string][]): AccountView {
  return {
    groups: { blue: blue, green: green },
    targetGroups: { [MAIN]: { targets: targets.map(([id, state]) => ({ id, state })) } },
  };
}

const steady = account(
  group(
    'blue',
    [
      ['b1', 'InService'],
      ['b2', 'InService'],
    ],
    true,
  ),
  group('green', [], false),
  [
    ['b1', 'healthy'],
    ['b2', 'healthy'],
  ],
);

describe('the invariant monitor', () => {
  it('between deployments (an operator running recovery commands): production may change, I1 still holds', () => {
    const monitor = new InvariantMonitor(steady, MAIN, 'between');
    const changed = account(group('blue', [['b1', 'InService']], true), steady.groups.green, [
      ['b1', 'healthy'],
    ]);
    monitor.observe(changed, '(between deployments)', 1);
    expect(monitor.violations).toEqual([]);
    const empty = account(group('blue', [], true), steady.groups.green, [['b1', 'draining']]);
    monitor.observe(empty, '(between deployments)', 2);
    expect(monitor.violations.map((violation) => violation.invariant)).toEqual(['I1']);
  });

  it('holds quietly in a steady state', () => {
    const monitor = new InvariantMonitor(steady, MAIN);
    monitor.observe(steady, 'Validate deployment request', 1);
    monitor.checkUnchanged(steady, 2);
    expect(monitor.violations).toEqual([]);
  });

  it('I1: reports a main target group left without a healthy target, once', () => {
    const monitor = new InvariantMonitor(steady, MAIN);
    const empty = account(steady.groups.blue, steady.groups.green, [
      ['b1', 'draining'],
      ['b2', 'draining'],
    ]);
    monitor.stateEntered('Attach new group to main target group');
    monitor.observe(empty, 'Put old fleet in standby', 10);
    monitor.observe(empty, 'Put old fleet in standby', 11);
    expect(monitor.violations).toEqual([
      {
        invariant: 'I1',
        at: 10,
        state: 'Put old fleet in standby',
        message: expect.stringMatching(/no healthy target/),
      },
    ]);
  });

  it('I2: reports an orchestrator call that changes the active group before the traffic shift, not after it', () => {
    const before = new InvariantMonitor(steady, MAIN);
    before.orchestratorChanged(
      'autoscaling:UpdateAutoScalingGroup',
      { AutoScalingGroupName: 'blue', DesiredCapacity: 5 },
      5,
      'Run synthetic checks',
    );
    expect(before.violations.map((v) => [v.invariant, v.message])).toEqual([
      ['I2', 'autoscaling:UpdateAutoScalingGroup changed blue before synthetic checks passed'],
    ]);
    const after = new InvariantMonitor(steady, MAIN);
    after.stateEntered('Attach new group to main target group');
    after.orchestratorChanged('autoscaling:EnterStandby', { AutoScalingGroupName: 'blue' }, 5, null);
    expect(after.violations).toEqual([]);
  });

  it('I2: production changing on its own before the shift (a scaling policy, the team) is not the orchestrator’s change', () => {
    const monitor = new InvariantMonitor(steady, MAIN);
    const scaled = account(
      group(
        'blue',
        [
          ['b1', 'InService'],
          ['b2', 'InService'],
          ['b3', 'Pending'],
        ],
        true,
        3,
      ),
      steady.groups.green,
      [
        ['b1', 'healthy'],
        ['b2', 'draining'],
      ],
    );
    monitor.observe(scaled, 'Run synthetic checks', 5);
    // Reads, and changes to the new group, are not production changes either.
    monitor.orchestratorChanged(
      'autoscaling:DescribeAutoScalingGroups',
      { AutoScalingGroupNames: ['blue'] },
      6,
      null,
    );
    monitor.orchestratorChanged(
      'autoscaling:UpdateAutoScalingGroup',
      { AutoScalingGroupName: 'green' },
      6,
      null,
    );
    expect(monitor.violations).toEqual([]);
  });

  it('I4: reports an old instance back in the main target group during the window', () => {
    const monitor = new InvariantMonitor(steady, MAIN);
    for (const state of [
      'Attach new group to main target group',
      'Monitor new version during rollback window',
    ])
      monitor.stateEntered(state);
    const leaked = account(
      group(
        'blue',
        [
          ['b1', 'Standby'],
          ['b2', 'Standby'],
        ],
        true,
      ),
      group('green', [['g1', 'InService']], true),
      [
        ['g1', 'healthy'],
        ['b1', 'initial'],
      ],
    );
    monitor.observe(leaked, 'Monitor new version during rollback window: check', 100);
    expect(monitor.violations).toEqual([
      expect.objectContaining({ invariant: 'I4', message: expect.stringMatching(/b1 is registered/) }),
    ]);
  });

  it('I4: keeps watching while the deployment finishes (retiring takes the old fleet out of Standby)', () => {
    const monitor = new InvariantMonitor(steady, MAIN);
    for (const state of [
      'Attach new group to main target group',
      'Monitor new version during rollback window',
      'Finish deployment',
    ]) {
      monitor.stateEntered(state);
    }
    const reRegistered = account(
      group(
        'blue',
        [
          ['b1', 'InService'],
          ['b2', 'InService'],
        ],
        true,
      ),
      group('green', [['g1', 'InService']], true),
      [
        ['g1', 'healthy'],
        ['b2', 'initial'],
      ],
    );
    monitor.observe(reRegistered, 'Retire old fleet', 200);
    expect(monitor.violations).toEqual([
      expect.objectContaining({ invariant: 'I4', message: expect.stringMatching(/b2 is registered/) }),
    ]);
  });

  it('I2: a call on the main target group before the shift is reported; the new group attached to it once prepare is complete is the shift', () => {
    const early = new InvariantMonitor(steady, MAIN);
    early.orchestratorChanged('elasticloadbalancing:DeregisterTargets', { TargetGroupArn: MAIN }, 7, null);
    early.orchestratorChanged(
      'autoscaling:AttachTrafficSources',
      { AutoScalingGroupName: 'green', TrafficSources: [{ Identifier: MAIN }] },
      8,
      'Run synthetic checks',
    );
    expect(early.violations.map((v) => [v.invariant, v.at])).toEqual([
      ['I2', 7],
      ['I2', 8],
    ]);
    const shift = new InvariantMonitor(steady, MAIN);
    shift.stateEntered('Prepare the new version (production untouched): complete');
    shift.orchestratorChanged(
      'autoscaling:AttachTrafficSources',
      { AutoScalingGroupName: 'green', TrafficSources: [{ Identifier: MAIN }] },
      9,
      null,
    );
    shift.orchestratorChanged('autoscaling:EnterStandby', { AutoScalingGroupName: 'blue' }, 10, null);
    expect(shift.violations).toEqual([]);
  });

  it('I8: reports a rejected deployment that changed the account', () => {
    const monitor = new InvariantMonitor(steady, MAIN);
    const changed = account(steady.groups.blue, group('green', [['g1', 'Pending']], false), [
      ['b1', 'healthy'],
      ['b2', 'healthy'],
    ]);
    monitor.checkUnchanged(changed, 30);
    expect(monitor.violations.map((v) => v.invariant)).toEqual(['I8']);
  });
});
