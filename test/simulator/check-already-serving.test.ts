import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/check-already-serving/handler';
import { DEFAULT_AMIS } from '../../simulator/account/environment';
import { createHarness, type Harness, type HarnessOptions } from '../support/account';

/** Issue 12, item 6: the step that tells "nothing to do" from "deploy", against the simulated account. */
let h: Harness;
const account = (options: HarnessOptions = {}) => (h = createHarness(options));
afterEach(() => h.dispose());
/** The blue group's capacity once a test has raised its desired size to 4 (the roles step reads it so). */
const grown = { min: 2, desired: 4, max: 6 };

// The reference account's blue group; with no capacity configured, the deployment keeps the group's own.
const active = () => ({ groupName: h.blue, capacity: { min: 2, desired: 3, max: 6 }, instanceCount: 3 });
const run = (
  amiId: string,
  roles: { active: ReturnType<typeof active> | null } = { active: active() },
  targetCapacity = roles.active?.capacity ?? { min: 2, desired: 3, max: 6 },
) => handler({ amiId, roles: { ...roles, targetCapacity }, mainTargetGroupArn: h.main });

describe('check-already-serving', () => {
  it('deploys when the configuration asks for another capacity (a redeploy rolls it out)', async () => {
    account();
    const result = await run(DEFAULT_AMIS.current, { active: active() }, { min: 2, desired: 6, max: 12 });
    expect(result).toEqual({
      alreadyServing: false,
      detail: expect.stringMatching(/not at the configured capacity 2\/6\/12/),
    });
    expect(h.changes()).toEqual([]);
  });

  it('is nothing to do when the active group launches and runs the AMI, all healthy, and changes nothing', async () => {
    account();
    await expect(run(DEFAULT_AMIS.current)).resolves.toEqual({
      alreadyServing: true,
      detail: expect.stringMatching(/ami-0a1b2c3d4e5f60001 already serves all traffic from webapp-blue/),
    });
    expect(h.changes()).toEqual([]);
  });

  it('deploys another AMI', async () => {
    account();
    await expect(run(DEFAULT_AMIS.next)).resolves.toEqual({
      alreadyServing: false,
      detail: `webapp-blue launches ${DEFAULT_AMIS.current}`,
    });
  });

  it('deploys on a first deployment: no group serves yet', async () => {
    account({ firstDeployment: true });
    await expect(run(DEFAULT_AMIS.current, { active: null })).resolves.toMatchObject({
      alreadyServing: false,
    });
  });

  it('deploys when the serving fleet is short of its desired size (the deployment replaces it whole)', async () => {
    account();
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 4, MaxSize: 6 }),
    );
    await expect(run(DEFAULT_AMIS.current, { active: active() }, grown)).resolves.toEqual({
      alreadyServing: false,
      detail: 'webapp-blue has 3 of 4 instances in service',
    });
  });

  it('deploys when a new instance is in service but not yet healthy in the main target group', async () => {
    account();
    await h.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 4, MaxSize: 6 }),
    );
    h.until(() => h.idsIn(h.blue, 'InService').length === 4);
    await expect(run(DEFAULT_AMIS.current, { active: active() }, grown)).resolves.toEqual({
      alreadyServing: false,
      detail: expect.stringMatching(/^3 of 4 targets of webapp-blue healthy in webapp-main$/),
    });
  });
});
