import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { handler as plan } from '../../lambdas/plan-traffic-shift/handler';
import { handler as restoreListeners } from '../../lambdas/restore-listeners/handler';
import { handler as shiftTraffic } from '../../lambdas/shift-traffic/handler';
import { settingsSchema } from '../../lambdas/shared/settings';
import type { ShiftPlan } from '../../lambdas/shared/shift-plan';
import { createHarness, forwardWeighted, rejection, type Harness } from '../support/account';

/**
 * The gradual shift's steps against the simulated account (docs/design.md#gradual-shift): the plan, each
 * share by weight and by instances, and the listeners' restoration.
 */

let h: Harness;
afterEach(() => h.dispose());

/** Blue serving `count`; green launched with the new version at `count`, healthy in the synthetic target group. */
function prepared(count = 10): void {
  h = createHarness({
    instances: count,
    customize: (env) =>
      Object.assign(env.groups.green, {
        min: 2,
        desired: count,
        max: count,
        attachedTargetGroups: [env.syntheticTargetGroup.arn],
      }),
  });
  h.until(() => Object.values(h.health(h.synthetic)).filter((state) => state === 'healthy').length === count);
  h.forgetCalls();
}

const shiftSettings = (shift: object) =>
  settingsSchema.shape.shift.parse(shift) as ReturnType<typeof settingsSchema.shape.shift.parse>;
const comparison = (enabled = false) => ({
  enabled,
  maxErrorRateIncreasePoints: 1,
  maxLatencyIncreasePercent: 25,
  minRequests: 100,
  baselineMinutes: 10,
});

async function planFor(shift: object, firstDeployment = false): Promise<ShiftPlan> {
  return plan({
    roles: { firstDeployment },
    shift: shiftSettings(shift),
    comparison: comparison(),
    targetGroups: { main: h.main, synthetic: h.synthetic },
  });
}

const stepInput = (shiftPlan: ShiftPlan) => ({
  plan: shiftPlan,
  targetGroups: { main: h.main, synthetic: h.synthetic },
  newGroupName: h.green,
  oldGroupName: h.blue,
  newGroupCapacity: { min: 2, desired: 10, max: 10 },
});

async function defaultActions() {
  const answer = await h.elb.send(
    new DescribeListenersCommand({ LoadBalancerArn: h.environment.loadBalancer.arn }),
  );
  return answer.Listeners?.[0]?.DefaultActions;
}

describe('plan-traffic-shift', () => {
  beforeEach(() => prepared(3));

  it('all at once: no share to bake, nothing recorded, nothing changed', async () => {
    const shiftPlan = await planFor({});
    expect(shiftPlan).toMatchObject({ mode: 'all-at-once', shares: [], steps: 0, listeners: [] });
    expect(h.changes()).toEqual([]);
  });

  it('canary and linear: the shares below 100 %, then 100 %', async () => {
    expect((await planFor({ mode: 'canary', canaryPercent: 5 })).shares).toEqual([5, 100]);
    expect((await planFor({ mode: 'linear', linearStepPercent: 30 })).shares).toEqual([30, 60, 90, 100]);
  });

  it('a first deployment takes all the traffic at once: there is no old version to share it with', async () => {
    const shiftPlan = await planFor({ mode: 'canary' }, true);
    expect(shiftPlan.shares).toEqual([]);
    expect(shiftPlan.summary).toMatch(/first deployment/);
  });

  it('by weight: records the production listener’s default actions exactly as described', async () => {
    const shiftPlan = await planFor({ mode: 'canary', split: 'weight' });
    expect(shiftPlan.listeners).toEqual([
      { listenerArn: h.account.alb.listenerArn, defaultActions: await defaultActions() },
    ]);
    expect(shiftPlan.newTargetGroupArn).toBe(h.synthetic);
    expect(h.changes()).toEqual([]);
  });

  it('by weight: a default action someone already weighted is refused, with the fix, and nothing changes', async () => {
    await forwardWeighted(h, [
      [h.main, 80],
      [h.synthetic, 20],
    ]);
    h.forgetCalls();
    const error = await rejection(planFor({ mode: 'canary', split: 'weight' }));
    expect(error.name).toBe('UnsafeOperationError');
    expect(error.message).toMatch(
      /already forwards to .*webapp-synthetic.* modify-listener .*"split": "instances"/,
    );
    expect(h.changes()).toEqual([]);
  });
});

describe('shift-traffic by weight', () => {
  beforeEach(() => prepared(10));

  it('forwards the share to the synthetic target group, keeps the old fleet’s size, and a repeat changes nothing', async () => {
    const shiftPlan = await planFor({ mode: 'canary', split: 'weight' });
    const reached = await shiftTraffic(stepInput(shiftPlan));
    expect(reached).toEqual({ number: 1, share: 10 });
    expect((await defaultActions())?.[0]?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: h.main, Weight: 90 },
      { TargetGroupArn: h.synthetic, Weight: 10 },
    ]);
    // Production's scaling can no longer shrink the old fleet as its share falls.
    expect(h.group(h.blue).suspendedProcesses).toEqual(expect.arrayContaining(['AlarmNotification']));
    h.forgetCalls();
    expect(await shiftTraffic(stepInput(shiftPlan))).toEqual(reached);
    expect(h.changes()).toEqual([]);
  });

  it('the last share sends everything to the new version while the main target group stays named (weight 0)', async () => {
    const shiftPlan = await planFor({ mode: 'canary', split: 'weight' });
    await shiftTraffic({
      ...stepInput(shiftPlan),
      plan: { ...shiftPlan, current: { number: 1, share: 10 } },
    });
    expect((await defaultActions())?.[0]?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: h.main, Weight: 0 },
      { TargetGroupArn: h.synthetic, Weight: 100 },
    ]);
  });

  it('waits, growing the new group, when it has too few healthy targets for the share', async () => {
    const shiftPlan = await planFor({ mode: 'linear', split: 'weight', linearStepPercent: 50 });
    // Production scaled out to 14 since the new fleet was matched to its 10.
    h.environment.groups.blue.max = 20;
    const wanted = { ...stepInput(shiftPlan), plan: { ...shiftPlan, current: { number: 1, share: 100 } } };
    await h.asg.send(
      new (await import('@aws-sdk/client-auto-scaling')).UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: h.blue,
        MaxSize: 20,
        DesiredCapacity: 14,
      }),
    );
    h.until(() => h.idsIn(h.blue, 'InService').length === 14);
    h.forgetCalls();
    const error = await rejection(shiftTraffic(wanted));
    expect(error.name).toBe('NotReadyError');
    expect(error.message).toMatch(/10 healthy targets .* needs 14/);
    expect(h.group(h.green).desired).toBe(14);
    expect(await defaultActions()).toEqual(shiftPlan.listeners[0]?.defaultActions);
  });

  it('restore-listeners puts the recorded default actions back exactly, once, and resumes the new group’s scaling', async () => {
    const shiftPlan = await planFor({ mode: 'canary', split: 'weight' });
    await shiftTraffic(stepInput(shiftPlan));
    // Both fleets' scaling held while the weights move: the new group's policy reads the main target group.
    expect(h.group(h.green).suspendedProcesses).toEqual(expect.arrayContaining(['AlarmNotification']));
    const restore = { listeners: shiftPlan.listeners, groupName: h.green };
    expect(await restoreListeners(restore)).toEqual({
      restored: 1,
      leftAsFound: [],
      resumedProcesses: expect.arrayContaining(['AlarmNotification', 'ScheduledActions']),
    });
    expect(await defaultActions()).toEqual(shiftPlan.listeners[0]?.defaultActions);
    expect(h.group(h.green).suspendedProcesses).toEqual([]);
    h.forgetCalls();
    expect(await restoreListeners(restore)).toEqual({ restored: 0, leftAsFound: [], resumedProcesses: [] });
    expect(h.changes()).toEqual([]);
  });

  it('restore-listeners leaves a listener an operator changed since the shift as found (found in review)', async () => {
    const shiftPlan = await planFor({ mode: 'canary', split: 'weight' });
    await shiftTraffic(stepInput(shiftPlan));
    // Back to the old version alone, now with stickiness: not what the plan recorded.
    await forwardWeighted(h, [[h.main, 1]], { Enabled: true, DurationSeconds: 3600 });
    const changed = await defaultActions();
    h.forgetCalls();
    const answer = await restoreListeners({ listeners: shiftPlan.listeners, groupName: h.green });
    expect(answer).toMatchObject({ restored: 0, leftAsFound: [h.account.alb.listenerArn] });
    expect(await defaultActions()).toEqual(changed);
    expect(h.inputs('ModifyListener')).toEqual([]);
  });
});

describe('shift-traffic by instances', () => {
  beforeEach(() => prepared(10));

  it('the first share parks the rest of the new fleet in Standby, then joins the main target group', async () => {
    const shiftPlan = await planFor({ mode: 'canary', canaryPercent: 10 });
    expect(await shiftTraffic(stepInput(shiftPlan))).toEqual({ number: 1, share: 10 });
    // MinSize 2 lowered to the share's 1 first: EnterStandby decrements desired capacity only down to it.
    // Its scaling held first, so that the share holds while it bakes (found in review).
    expect(h.changes()).toEqual([
      'CreateOrUpdateTags',
      'SuspendProcesses',
      'UpdateAutoScalingGroup',
      'EnterStandby',
      'AttachTrafficSources',
    ]);
    expect(h.group(h.green).suspendedProcesses).toEqual(expect.arrayContaining(['AlarmNotification']));
    expect(h.idsIn(h.green, 'InService')).toHaveLength(1);
    h.until(() => h.idsIn(h.green, 'Standby').length === 9);
    // Only the share registers with the main target group.
    h.until(() => Object.keys(h.health(h.main)).length === 11);
    h.forgetCalls();
    await shiftTraffic(stepInput(shiftPlan));
    expect(h.changes()).toEqual([]);
  });

  it('the last share brings the whole new fleet back and its minimum size with it', async () => {
    const shiftPlan = await planFor({ mode: 'canary', canaryPercent: 20 });
    await shiftTraffic(stepInput(shiftPlan));
    h.until(() => h.idsIn(h.green, 'Standby').length === 8);
    await shiftTraffic({
      ...stepInput(shiftPlan),
      plan: { ...shiftPlan, current: { number: 1, share: 20 } },
    });
    h.until(() => h.idsIn(h.green, 'InService').length === 10);
    expect(h.group(h.green)).toMatchObject({ min: 2, desired: 10, max: 10, suspendedProcesses: [] });
  });

  it('the last share brings every Standby instance back after a scale-out by hand, MaxSize raised only to what serves', async () => {
    const shiftPlan = await planFor({ mode: 'canary', canaryPercent: 20 });
    await shiftTraffic(stepInput(shiftPlan));
    h.until(() => h.idsIn(h.green, 'Standby').length === 8);
    // The team scales the new group out by hand while the canary bakes: 2 → 4 serving, 8 in Standby.
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, DesiredCapacity: 4 }),
    );
    h.until(() => h.idsIn(h.green, 'InService').length === 4);
    await shiftTraffic({
      ...stepInput(shiftPlan),
      plan: { ...shiftPlan, current: { number: 1, share: 20 } },
    });
    h.until(() => h.idsIn(h.green, 'InService').length === 12);
    // Raised to 12 to return the 8 (desired can never exceed MaxSize), and no further.
    expect(h.group(h.green)).toMatchObject({ desired: 12, max: 12 });
    expect(
      h
        .inputs('UpdateAutoScalingGroup')
        .map((call) => call.MaxSize)
        .filter(Boolean),
    ).toEqual([12, 12]);
  });
});
