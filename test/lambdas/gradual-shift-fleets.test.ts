import { DetachTrafficSourcesCommand } from '@aws-sdk/client-auto-scaling';
import { handler as checkStandby } from '../../lambdas/check-instances-in-standby/handler';
import { handler as enterStandby } from '../../lambdas/enter-standby/handler';
import { handler as scaleToZero } from '../../lambdas/scale-group-to-zero/handler';
import { createHarness, rejection, type Harness } from '../support/account';

/**
 * The fleets through a shift by instances (docs/design.md#gradual-shift): the old fleet parked share by
 * share, and a new group with part of it left in Standby emptied by a rollback.
 */

let h: Harness;
afterEach(() => h.dispose());

/** Blue (old) and green (new) both serving `count` in the main target group. */
function bothServing(count = 10, green = count): void {
  h = createHarness({
    instances: count,
    customize: (env) => {
      Object.assign(env.groups.blue, { min: 1, max: count });
      Object.assign(env.groups.green, {
        desired: green,
        max: count,
        attachedTargetGroups: [env.mainTargetGroup.arn],
      });
    },
  });
  h.until(
    () => Object.values(h.health(h.main)).filter((state) => state === 'healthy').length === count + green,
  );
  h.forgetCalls();
}

const park = (share?: number) =>
  enterStandby({ groupName: h.blue, mainTargetGroupArn: h.main, newGroupName: h.green, share });
const parked = (share?: number) =>
  checkStandby({
    groupName: h.blue,
    share,
    wait: { startedAt: null },
    timeoutSeconds: 600,
  });

describe('the old fleet parked share by share', () => {
  it('parks that share of the fleet only, and a repeat parks nothing more', async () => {
    bothServing();
    expect(await park(30)).toEqual({ groupName: h.blue, movedToStandby: 3 });
    expect(h.idsIn(h.blue, 'InService')).toHaveLength(7);
    h.forgetCalls();
    expect(await park(30)).toEqual({ groupName: h.blue, movedToStandby: 0 });
    expect(h.changes()).toEqual([]);
    // The next share counts what is already parked: 50% of ten is two more.
    expect(await park(50)).toEqual({ groupName: h.blue, movedToStandby: 2 });
  });

  it('waits (NotReadyError) without growing the new group when fewer new targets serve than the share parks', async () => {
    bothServing(10, 2);
    const error = await rejection(park(30));
    expect(error.name).toBe('NotReadyError');
    expect(error.message).toMatch(/serves with 2 healthy targets .* 30% of webapp-blue \(3 instances\)/);
    expect(h.idsIn(h.blue, 'Standby')).toEqual([]);
    expect(h.group(h.green).desired).toBe(2);
  });

  it('the whole park after shares needs the new fleet to serve with the whole old fleet’s size', async () => {
    bothServing(10, 10);
    await park(50);
    h.until(() => h.idsIn(h.blue, 'Standby').length === 5);
    expect(await park()).toEqual({ groupName: h.blue, movedToStandby: 5 });
  });

  it('check-instances-in-standby is done for a share once it is parked and none is still draining', async () => {
    bothServing();
    await park(30);
    expect((await parked(30)).done).toBe(false);
    h.until(() => h.idsIn(h.blue, 'Standby').length === 3);
    const answer = await parked(30);
    expect(answer.done).toBe(true);
    expect(answer.detail).toContain('(30% of the fleet: 3)');
    expect((await parked()).done).toBe(false);
  });
});

describe('scale-group-to-zero with part of the group in Standby', () => {
  it('takes them out of Standby once the group is attached nowhere, and the group empties', async () => {
    bothServing(4, 4);
    await h.enterStandby(h.green, h.idsIn(h.green, 'InService').slice(0, 3));
    h.until(() => h.idsIn(h.green, 'Standby').length === 3);
    await h.asg.send(
      new DetachTrafficSourcesCommand({
        AutoScalingGroupName: h.green,
        TrafficSources: [{ Identifier: h.main }],
      }),
    );
    h.until(() => h.group(h.green).trafficSources.length === 0);
    await scaleToZero({ groupName: h.green });
    h.until(() => h.group(h.green).instances.length === 0);
  });

  it('leaves them in Standby while the group is still attached: ExitStandby would register them', async () => {
    bothServing(4, 4);
    await h.enterStandby(h.green, h.idsIn(h.green, 'InService').slice(0, 3));
    h.until(() => h.idsIn(h.green, 'Standby').length === 3);
    h.forgetCalls();
    await scaleToZero({ groupName: h.green });
    expect(h.inputs('ExitStandby')).toEqual([]);
  });
});
