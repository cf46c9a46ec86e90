import { OPERATOR_REQUEST_TAG, type MilestoneDetail, type ProgressMilestone } from '../shared/contract';
import { defineHandler } from '../shared/handler';
import { announce, commonDetail, type Announced } from '../shared/milestones';
import { InputSchema, type Input } from './input';

/**
 * Announces how far a deployment has come (docs/events.md): a message on the notification topic and an
 * EventBridge event on the default bus. Best effort by design: it never throws for AWS's sake (a failed
 * call is retried a few times, then logged), so a lost announcement never fails, delays for long or rolls
 * back a deployment; the state machine also catches anything else it might throw (a malformed input, a
 * timeout) and goes on. Idempotent as far as announcements can be: a repeated invocation tells the same
 * milestone again, with the same execution and milestone, by which a consumer tells a repeat.
 */

export interface Output extends Announced {
  milestone: ProgressMilestone;
}

async function run(input: Input): Promise<Output> {
  const at = new Date();
  const message = messageFor(input, at);
  const context = {
    application: input.applicationName,
    executionName: input.execution.name,
    executionArn: input.execution.id,
    amiId: input.amiId,
    roles: input.roles,
  };
  const announced = await announce({
    topicArn: input.notificationTopicArn ?? null,
    subject: `[${input.applicationName}] ${SUBJECTS[input.milestone]}: ${input.amiId}`,
    body: [
      message,
      '',
      `Application: ${input.applicationName}`,
      `Execution: ${input.execution.name}`,
      `Milestone: ${input.milestone}`,
      `AMI: ${input.amiId}`,
      `New group: ${input.roles.standby.groupName}`,
      `Previous group: ${input.roles.active?.groupName ?? 'none (first deployment)'}`,
    ].join('\n'),
    at,
    detail: detailFor(input, commonDetail(context, message, at), at),
  });
  return { milestone: input.milestone, ...announced };
}

const SUBJECTS: Readonly<Record<ProgressMilestone, string>> = {
  started: 'deployment started',
  'new-version-ready': 'new version ready',
  'approval-requested': 'approval requested',
  'traffic-shifted': 'traffic shifted',
  'window-passed': 'rollback window passed',
};

function detailFor(input: Input, common: ReturnType<typeof commonDetail>, at: Date): MilestoneDetail {
  switch (input.milestone) {
    case 'started':
      return { milestone: 'started', ...common, capacity: input.roles.targetCapacity };
    case 'new-version-ready':
      return {
        milestone: 'new-version-ready',
        ...common,
        launchTemplateVersion: input.release.version,
        instances: input.roles.targetCapacity.desired,
      };
    case 'approval-requested':
      return {
        milestone: 'approval-requested',
        ...common,
        deadline: deadlineOf(input, common.at),
        onTimeout: input.approval.onTimeout,
        approveCommand: approveCommand(input.roles.standby.groupName, 'approve'),
      };
    case 'traffic-shifted':
      return { milestone: 'traffic-shifted', ...common, rollbackWindowMinutes: input.rollbackWindowMinutes };
    case 'window-passed':
      return {
        milestone: 'window-passed',
        ...common,
        promoted: promotedEarly(input.window),
        elapsedSeconds: input.window.elapsedSeconds,
        summary: input.window.detail,
        oldFleetKeptUntil: oldFleetKeptUntil(input, at),
      };
  }
}

/** Until when the old fleet waits in Standby for an undo; null when it is retired at once (or there is none). */
function oldFleetKeptUntil(input: Extract<Input, { milestone: 'window-passed' }>, at: Date): string | null {
  const minutes = input.keepOldFleetMinutes ?? 0;
  if (minutes === 0 || !input.roles.active) return null;
  return new Date(at.getTime() + minutes * 60_000).toISOString();
}

/** The milestone in plain words: the message's first line and the event's `message`. */
function messageFor(input: Input, at: Date): string {
  const app = input.applicationName;
  const ami = input.amiId;
  const group = input.roles.standby.groupName;
  const old = input.roles.active?.groupName ?? null;
  switch (input.milestone) {
    case 'started': {
      const { desired } = input.roles.targetCapacity;
      return old
        ? `${app}: deploying ${ami} to ${group} (${desired} instances); ${old} serves users meanwhile.`
        : `${app}: first deployment: deploying ${ami} to ${group} (${desired} instances).`;
    }
    case 'new-version-ready':
      return (
        `${app}: ${ami} is in service on ${group} (launch template version ${input.release.version}) and ` +
        `passed its synthetic checks; user traffic moves to it next.`
      );
    case 'approval-requested': {
      const { onTimeout } = input.approval;
      const unanswered =
        onTimeout === 'abort' ? 'it aborts, production untouched' : 'it goes on without approval';
      return (
        `${app}: ${ami} is ready on ${group} and waits for approval before user traffic moves to it. ` +
        `Approve: npm run ops -- approve --config <your configuration>, or ${approveCommand(group, 'approve')}. ` +
        `Reject: npm run ops -- abort, or the same command with Value=rollback. ` +
        `Unanswered by ${deadlineOf(input, at.toISOString())}, ${unanswered}.`
      );
    }
    case 'traffic-shifted': {
      const window = `${input.rollbackWindowMinutes}-minute rollback window`;
      return old
        ? `${app}: ${ami} now serves all traffic from ${group}; ${old} waits in Standby through the ${window}.`
        : `${app}: ${ami} now serves all traffic from ${group} (first deployment); the ${window} opens.`;
    }
    case 'window-passed': {
      const promoted = promotedEarly(input.window);
      const keptUntil = oldFleetKeptUntil(input, at);
      // A deployment queued behind this one must not wait unannounced: it ends the keep (check-fleet-kept).
      const next = keptUntil
        ? `${old} is kept in Standby until ${keptUntil} for an undo (npm run ops -- undo), then retired; a deployment started meanwhile ends the keep`
        : old
          ? `${old} is retired next`
          : `${group} keeps serving`;
      return promoted
        ? `${app}: ${ami} was promoted by an operator before its rollback window ended; ${next}.`
        : `${app}: the rollback window of ${ami} passed with no alarm; ${next}.`;
    }
  }
}

/** The AWS CLI command that tags the new group with an operator's answer (docs/operations.md). */
function approveCommand(group: string, answer: 'approve' | 'rollback'): string {
  return (
    `aws autoscaling create-or-update-tags --tags ResourceId=${group},ResourceType=auto-scaling-group,` +
    `Key=${OPERATOR_REQUEST_TAG},Value=${answer},PropagateAtLaunch=false`
  );
}

/** The approval wait starts as the milestone is told, so its deadline is counted from now. */
function deadlineOf(input: Extract<Input, { milestone: 'approval-requested' }>, at: string): string {
  return new Date(Date.parse(at) + input.approval.timeoutMinutes * 60_000).toISOString();
}

/** The window ends early only when an operator promotes (lambdas/monitor-new-version). */
function promotedEarly(window: { elapsedSeconds: number; windowSeconds: number }): boolean {
  return window.elapsedSeconds < window.windowSeconds;
}

export const handler = defineHandler('publish-milestone', InputSchema, run);
