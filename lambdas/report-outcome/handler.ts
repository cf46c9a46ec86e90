import type * as z from 'zod/mini';
import { defineHandler } from '../shared/handler';
import { announce, commonDetail } from '../shared/milestones';
import type { Roles } from '../shared/types';
import { causeMessage, type Outcome } from '../shared/contract';
import { InputSchema, type failureSchema, type Input } from './input';

/**
 * The last state of every path: says in plain words what happened, tells the SNS topic and puts the
 * `outcome` milestone event on the default EventBridge bus (docs/events.md: its detail is this report, less
 * `notified`). It runs on the failure paths too, so it must not fail: fields other than the outcome and
 * names are read leniently (a malformed one is dropped, not an error), and a failed publish is logged and
 * reported as `notified: false` (the topic) or only logged (the event).
 */

export interface OutcomeReport {
  outcome: Outcome;
  amiId: string | null;
  /** The group serving production after this execution, when the execution knows it. */
  activeGroup: string | null;
  /** The group that served production before this execution (null on a first deployment or if unknown). */
  previousGroup: string | null;
  /**
   * The AMI the previous group launched, on a success only: what `npm run ops -- undo` deploys again
   * (docs/design.md#undo). Null on a first deployment or when it could not be told.
   */
  previousAmiId?: string | null;
  reason: string | null;
  message: string;
  notified: boolean;
}

async function run(input: Input): Promise<OutcomeReport> {
  const amiId = input.amiId ?? null;
  const roles = input.roles ?? null;
  const reason = reasonOf(input.failure ?? null, input.skipReason ?? null);
  const cleanupReason = reasonOf(input.cleanupFailure ?? null, null);
  const message = messageFor(input.outcome, input.applicationName, amiId, roles, reason, cleanupReason);
  const report: OutcomeReport = {
    outcome: input.outcome,
    amiId,
    activeGroup: activeGroupAfter(input.outcome, roles),
    previousGroup: roles?.active?.groupName ?? null,
    ...(input.outcome === 'succeeded' && { previousAmiId: input.previousAmiId ?? null }),
    reason,
    message,
    notified: false,
  };
  report.notified = (await tell(input, roles, report)).notified;
  return report;
}

function activeGroupAfter(outcome: Outcome, roles: Roles | null): string | null {
  switch (outcome) {
    case 'succeeded':
    case 'kept-serving':
      return roles?.standby.groupName ?? null;
    case 'already-serving':
    case 'aborted':
    case 'rolled-back':
      return roles?.active?.groupName ?? null;
    default:
      // Skipped and rejected runs may not have resolved roles; after a failed rollback nobody knows.
      return null;
  }
}

/** Why the run failed, in words: the skip's reason, else the failure's Cause as a sentence, else its Error. */
function reasonOf(failure: z.infer<typeof failureSchema> | null, skipReason: string | null): string | null {
  if (skipReason) return skipReason;
  if (!failure) return null;
  return causeMessage(failure.Cause) ?? failure.Error;
}

function messageFor(
  outcome: Outcome,
  application: string,
  amiId: string | null,
  roles: Roles | null,
  reason: string | null,
  cleanupReason: string | null = null,
): string {
  const ami = amiId ?? 'the requested AMI';
  // Error messages end in a full stop; the sentence around them adds its own.
  const why = (reason ?? 'no reason was recorded').replace(/[\s.]+$/, '');
  const standby = roles?.standby.groupName ?? 'the standby group';
  const active = roles?.active?.groupName ?? null;
  switch (outcome) {
    case 'succeeded': {
      // A failure here is an after-finish hook's (docs/hooks.md): the release stands, the hook is reported.
      const hook = reason ? ` But: ${why}.` : '';
      if (!active || roles?.firstDeployment) {
        return `${application}: first deployment: ${ami} now serves all traffic from ${standby}.${hook}`;
      }
      return `${application}: ${ami} now serves all traffic from ${standby}; ${active} was scaled to zero.${hook}`;
    }
    case 'skipped':
      return `Skipped ${ami}: ${why}. Nothing was changed.`;
    case 'already-serving':
      return `Nothing to do for ${application}: ${why}. Nothing was changed.`;
    case 'rejected':
      return `Rejected ${ami}: ${why}. Nothing was changed.`;
    case 'aborted':
      return (
        `Aborted ${ami} before the traffic shift: ${why}. Production was not touched; ` +
        `${standby} was scaled back to zero.`
      );
    case 'rolled-back':
      return (
        `Rolled back ${ami}: ${why}. ` +
        (active
          ? `${active} serves again`
          : roles
            ? 'No previous version was serving'
            : 'The previously active group serves again') +
        `; ${standby} was detached and scaled to zero.`
      );
    case 'kept-serving':
      return (
        `FIRST VERSION KEPT SERVING: ${ami}, the first deployment of ${application}, failed in its rollback ` +
        `window: ${why}. There is no earlier version to return to, and removing it would leave users with ` +
        `nothing, so ${standby} still serves it (detached from the synthetic target group only). Deploy a ` +
        `fixed AMI: the next deployment replaces it with add-before-remove as usual.`
      );
    case 'manual-action-needed': {
      const old = active ?? 'the previously active group';
      const what = cleanupReason
        ? `failed (${why}) and cleaning up after it failed too: ${cleanupReason.replace(/[\s.]+$/, '')}`
        : `failed and could not be rolled back automatically: ${why}`;
      // The groups' state is not known here: the commands that fix it come from the next deployment, which
      // reads the account, refuses before any change, and prints them (proven safe to run as printed).
      const known = [roles?.active?.groupName, roles?.standby.groupName].filter(
        (group): group is string => typeof group === 'string' && group !== '',
      );
      const look =
        known.length > 0
          ? ` To see where the groups stand first: ${known
              .map((group) => `aws autoscaling describe-traffic-sources --auto-scaling-group-name ${group}`)
              .join('; ')}.`
          : '';
      return (
        `MANUAL ACTION NEEDED: the deployment of ${ami} for ${application} ${what}. Production may be served by ${old}, by ${standby}, or by both; ` +
        `instances of ${old} may still be in Standby.${look} Then start a deployment again: while the account ` +
        `is half-way it is refused before any change, with the commands that bring it back, generated from ` +
        `the groups' state in an order that keeps users served (exit-standby for ${old}'s Standby instances ` +
        `among them); run them, then start the deployment once more.`
      );
    }
  }
}

/** The topic (when there is one) and the default event bus, side by side; never throws. */
function tell(input: Input, roles: Roles | null, report: OutcomeReport) {
  const subject = `[${input.applicationName}] deployment ${input.outcome}: ${report.amiId ?? 'unknown AMI'}`;
  const body = [
    report.message,
    '',
    `Application: ${input.applicationName}`,
    `Execution: ${input.executionName}`,
    `Outcome: ${input.outcome}`,
    `AMI: ${report.amiId ?? 'unknown'}`,
    ...(input.failure ? [`Error: ${input.failure.Error}`] : []),
    ...(input.cleanupFailure ? [`Clean-up error: ${input.cleanupFailure.Error}`] : []),
  ].join('\n');
  const at = new Date();
  const context = {
    application: input.applicationName,
    executionName: input.executionName,
    executionArn: input.executionArn ?? null,
    amiId: report.amiId,
    roles,
  };
  return announce({
    topicArn: input.notificationTopicArn ?? null,
    subject,
    body,
    at,
    detail: {
      milestone: 'outcome',
      ...commonDetail(context, report.message, at),
      outcome: report.outcome,
      activeGroup: report.activeGroup,
      reason: report.reason,
    },
  });
}

export const handler = defineHandler('report-outcome', InputSchema, run);
