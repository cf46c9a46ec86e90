/**
 * Scaling activities, as DescribeScalingActivities reports them: one per launch, termination or standby
 * move, in progress until the instance's transition ends; failed launches are recorded as failed activities.
 */
import { MAX_ACTIVITIES, type ActivityRecord, type AutoScalingGroupState } from './auto-scaling-group';
import type { Random } from './random';

export class ScalingActivities {
  /** The activity each instance's current transition belongs to, completed when the transition ends. */
  private readonly open = new Map<string, ActivityRecord>();

  constructor(private readonly ids: Random) {}

  /** Starts the activity of an instance's transition (completing the one it was in, if any). */
  start(
    group: AutoScalingGroupState,
    instanceId: string,
    description: string,
    cause: string,
    now: number,
  ): ActivityRecord {
    const activity: ActivityRecord = {
      id: this.ids.uuid(),
      groupName: group.name,
      description,
      cause: `At ${new Date(now).toISOString()} ${cause}.`,
      startTime: now,
      statusCode: 'InProgress',
    };
    this.record(group, activity);
    this.complete(instanceId, now);
    this.open.set(instanceId, activity);
    return activity;
  }

  /** The open activity of an instance's transition, if any (e.g. to show a lifecycle hook's wait). */
  openFor(instanceId: string): ActivityRecord | undefined {
    return this.open.get(instanceId);
  }

  /** The instance's transition failed (e.g. its launch lifecycle action was abandoned). */
  fail(instanceId: string, message: string, now: number): void {
    const activity = this.open.get(instanceId);
    if (!activity) return;
    activity.statusCode = 'Failed';
    activity.statusMessage = message;
    activity.endTime = now;
    this.open.delete(instanceId);
  }

  /** A note in the group's activity history that no instance transition carries. */
  note(group: AutoScalingGroupState, description: string, cause: string, message: string, now: number): void {
    this.record(group, {
      id: this.ids.uuid(),
      groupName: group.name,
      description,
      cause: `At ${new Date(now).toISOString()} ${cause}.`,
      startTime: now,
      endTime: now,
      statusCode: 'Failed',
      statusMessage: message,
    });
  }

  /** The instance's transition ended: its activity succeeded. */
  complete(instanceId: string, now: number): void {
    const activity = this.open.get(instanceId);
    if (!activity) return;
    activity.statusCode = 'Successful';
    activity.endTime = now;
    this.open.delete(instanceId);
  }

  /** A launch that failed before any instance existed (e.g. the AMI is missing or not available). */
  launchFailed(group: AutoScalingGroupState, reason: string, now: number): void {
    this.record(group, {
      id: this.ids.uuid(),
      groupName: group.name,
      description: `Launching a new EC2 instance.  Status Reason: ${reason} Launching EC2 instance failed.`,
      cause: `At ${new Date(now).toISOString()} an instance was started in response to a difference between desired and actual capacity.`,
      startTime: now,
      endTime: now,
      statusCode: 'Failed',
      statusMessage: `${reason} Launching EC2 instance failed.`,
    });
  }

  private record(group: AutoScalingGroupState, activity: ActivityRecord): void {
    group.activities.push(activity);
    if (group.activities.length > MAX_ACTIVITIES) group.activities.shift();
  }
}
