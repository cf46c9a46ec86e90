/**
 * The window's grace period is for instances a scale-out launches in the window. The fleet that took the
 * shift was launched minutes before it; with a long grace period (900 s) a version that turns unhealthy right
 * after the shift used to be exempt, and even the "no target healthy" check (I1) was skipped (found in
 * review).
 */
import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/monitor-new-version/handler';
import { DEFAULT_AMIS } from '../../simulator/account';
import { createHarness, rejection, type Harness } from '../support/account';

let h: Harness;
afterEach(() => h.dispose());

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

/** Window input, no alarms: the target check alone (alarms are configurable and may miss a hung app). */
const windowInput = (minutesIn: number) => ({
  groupName: h.green,
  targetGroupArn: h.main,
  monitoring: { alarmNames: [], allowNoAlarms: true, rollbackWindowMinutes: 60, intervalSeconds: 30 },
  wait: { startedAt: ago(minutesIn * 60) },
});

/**
 * Green (the new version, grace period 900 s) launched 3 instances as prepare does, they became healthy in
 * the main target group and blue went to Standby (the shift); then the new version hangs.
 */
async function shiftedThenHung(): Promise<void> {
  h = createHarness({
    customize: (env) => {
      Object.assign(env.groups.blue, { min: 0 });
      Object.assign(env.groups.green, {
        desired: 0,
        min: 0,
        max: 6,
        amiId: DEFAULT_AMIS.next,
        healthCheckType: 'EC2',
        healthCheckGracePeriodSeconds: 900,
        attachedTargetGroups: [env.mainTargetGroup.arn],
      });
    },
  });
  await h.asg.send(
    new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.green, MinSize: 3, DesiredCapacity: 3 }),
  );
  const healthy = () =>
    h.idsIn(h.green, 'InService').filter((id) => h.health(h.main)[id] === 'healthy').length;
  h.until(() => healthy() === 3);
  await h.enterStandby(h.blue);
  h.run(60);
  h.account.setVersionBehaviour(DEFAULT_AMIS.next, { failHealthChecks: true });
  h.until(() => h.idsIn(h.green, 'InService').every((id) => h.health(h.main)[id] === 'unhealthy'));
  h.forgetCalls();
}

describe('health check grace period in the window', () => {
  it('I1: a new fleet with no healthy target fails the window even though its instances launched within the grace period', async () => {
    await shiftedThenHung();
    // Minutes into the window, all 3 targets unhealthy, blue parked: users have nothing.
    const error = await rejection(handler(windowInput(2)));
    expect(error.name).toBe('UnhealthyTargetsError');
  });

  it('instances launched before the window started are not in a scale-out’s grace: their unhealthy targets count', async () => {
    await shiftedThenHung();
    const error = await rejection(
      handler({ ...windowInput(2), monitoring: { ...windowInput(2).monitoring, maxUnhealthyTargets: 1 } }),
    );
    expect(error.name).toBe('UnhealthyTargetsError');
  });
});
