/**
 * The park waits while production still launches. It used to look only for instances in a Pending state
 * (found in review). When production's desired capacity has just gone up (a scheduled action, a scaling policy's
 * alarm, the team, at the moment of the park), Auto Scaling has not created the instance yet: the group's
 * DesiredCapacity is above the instances it has, none is Pending, and the park proceeds. The instance then
 * launches after the old fleet went to Standby (suspending AlarmNotification and ScheduledActions stops new
 * decisions, not one already made) and comes InService next to the new version, outside Standby: the wait for
 * the old fleet's Standby never ends, and a good version is rolled back (the defect the review fix meant to
 * close). The same happens when the decision lands between the park's describe and its SuspendProcesses.
 */
import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { handler } from '../../lambdas/enter-standby/handler';
import { createHarness, type Harness } from '../support/account';

let h: Harness;
const input = () => ({ groupName: h.blue, mainTargetGroupArn: h.main, newGroupName: h.green });

afterEach(() => h.dispose());

it('does not park the old fleet while its desired capacity is above the instances it has', async () => {
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
  // Production's scaling decision, just made: the instance is not created yet.
  await h.asg.send(
    new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: h.blue, DesiredCapacity: 4, MaxSize: 6 }),
  );

  await expect(handler(input())).rejects.toMatchObject({ name: 'NotReadyError' });

  // Retried as the state machine does: once the decided instance is in service, the new group grows to 4,
  // then the whole old fleet is parked; none of it serves outside Standby.
  let parked = 0;
  for (let attempt = 0; attempt < 40 && parked === 0; attempt++) {
    h.run(30);
    parked = await handler(input()).then(
      (output) => output.movedToStandby,
      (error: Error) => {
        if (error.name !== 'NotReadyError') throw error;
        return 0;
      },
    );
  }
  expect(parked).toBe(4);
  h.run(600);
  expect(h.idsIn(h.blue, 'InService')).toEqual([]);
  expect(h.group(h.green).desired).toBe(4);
});
