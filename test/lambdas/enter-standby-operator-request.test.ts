/**
 * "Put old fleet in standby" waits (NotReadyError, retried for up to two hours) until the new group serves
 * with as many healthy targets as the old fleet has InService instances. Like every wait after the launch it
 * honours an operator's stop (docs/design.md#operator-requests-at-any-phase); it used not to (found in
 * review).
 */
import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/enter-standby/handler';
import { OPERATOR_REQUEST_TAG } from '../../lambdas/shared/contract';
import { createHarness, rejection, type Harness } from '../support/account';

let h: Harness;
const input = () => ({ groupName: h.blue, mainTargetGroupArn: h.main, newGroupName: h.green });

afterEach(() => h.dispose());

it("honours an operator's rollback request while the park waits for the new group to grow", async () => {
  h = createHarness({
    instances: 3,
    customize: (env) => {
      Object.assign(env.groups.blue, { min: 1, max: 6 });
      Object.assign(env.groups.green, {
        desired: 3,
        max: 3,
        attachedTargetGroups: [env.mainTargetGroup.arn],
      });
    },
  });
  // Production scaled out after its capacity was matched.
  await h.asg.send(
    new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 5, MaxSize: 6 }),
  );
  h.until(() => h.idsIn(h.blue, 'InService').length === 5);
  expect((await rejection(handler(input()))).name).toBe('NotReadyError');
  expect(h.group(h.green).desired).toBe(5);

  // The operator gives up on the deployment (npm run ops -- abort tags the new group).
  await h.tag(h.green, OPERATOR_REQUEST_TAG, 'rollback');
  const error = await rejection(handler(input()));

  expect(error.name).toBe('RollbackRequestedError');
  expect(h.idsIn(h.blue, 'Standby')).toEqual([]);
});
