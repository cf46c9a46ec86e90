import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/match-production-capacity/handler';
import { createHarness, type Harness } from '../support/account';

let h: Harness;

const roles = (active = true) => ({
  standby: { groupName: h.green },
  active: active ? { groupName: h.blue, capacity: { min: 1, desired: 3, max: 6 }, instanceCount: 3 } : null,
});

/** Blue serving 3; green prepared with the new version at `greenDesired` (max 6). */
function prepared(greenDesired = 3): void {
  h = createHarness({
    customize: (env) => Object.assign(env.groups.green, { min: 0, desired: greenDesired, max: 6 }),
  });
  h.until(() => h.idsIn(h.green, 'InService').length === greenDesired);
  h.forgetCalls();
}

async function scaleProduction(desired: number, max = desired): Promise<void> {
  await h.asg.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: h.blue,
      DesiredCapacity: desired,
      MaxSize: max,
    }),
  );
  h.until(() => h.idsIn(h.blue, 'InService').length === desired);
  h.forgetCalls();
}

afterEach(() => h.dispose());

describe('match-production-capacity', () => {
  it('changes nothing while production serves with no more than the new group has', async () => {
    prepared(3);
    await expect(handler({ roles: roles() })).resolves.toEqual({ desired: 3, production: 3, added: 0 });
    expect(h.changes()).toEqual([]);
  });

  it('grows the new group to what production scaled out to while the new version was prepared', async () => {
    prepared(3);
    await scaleProduction(6);

    await expect(handler({ roles: roles() })).resolves.toEqual({ desired: 6, production: 6, added: 3 });

    expect(h.group(h.green).desired).toBe(6);
    h.until(() => h.idsIn(h.green, 'InService').length === 6);
  });

  it('raises the new group’s MaxSize when production outgrew it', async () => {
    prepared(3);
    await scaleProduction(8, 8);

    await handler({ roles: roles() });

    expect([h.group(h.green).desired, h.group(h.green).max]).toEqual([8, 8]);
  });

  it('I6: a repeated run changes nothing and reports the same size', async () => {
    prepared(3);
    await scaleProduction(5);
    await handler({ roles: roles() });
    h.forgetCalls();

    await expect(handler({ roles: roles() })).resolves.toEqual({ desired: 5, production: 5, added: 0 });
    expect(h.changes()).toEqual([]);
  });

  it('never shrinks the new group, and a first deployment has nothing to match', async () => {
    prepared(4);
    await expect(handler({ roles: roles() })).resolves.toMatchObject({ desired: 4, added: 0 });
    await expect(handler({ roles: roles(false) })).resolves.toEqual({ desired: 4, production: 0, added: 0 });
    expect(h.changes()).toEqual([]);
  });
});
