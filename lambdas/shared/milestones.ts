import { putEvents } from './aws/events';
import { publish } from './aws/sns';
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  MILESTONE_SCHEMA_VERSION,
  type Milestone,
  type MilestoneDetail,
} from './contract';
import { AwsRequestError, TransientAwsError } from './errors';
import { logger } from './logger';
import type { Roles } from './types';

/**
 * Announcing a milestone (docs/events.md): a message on the notification topic and an event on the default
 * EventBridge bus, both best effort. A deployment never fails, waits long or rolls back because an
 * announcement could not be made: what failed is logged, and the caller learns whether each one went out.
 */

/**
 * Pauses between calls that failed transiently (each call already made the SDK's own attempts). Every other
 * step's calls get the workflow's retries on top of the SDK's; an announcement is a call whose failure its
 * step swallows, so it gets its own: 5 calls over about 15 s, well inside the step's timeout. The topic and
 * the bus are told side by side, so both fit in that time. A call whose answer was lost may be sent twice:
 * at least once is the contract, and a consumer tells a repeat by its execution and milestone.
 */
export const ANNOUNCE_RETRY_PAUSES_MS: readonly number[] = [1000, 2000, 4000, 8000];

/** What every milestone's detail carries, from what the execution knows of itself. */
export interface MilestoneContext {
  readonly application: string;
  readonly executionName: string;
  readonly executionArn: string | null;
  readonly amiId: string | null;
  readonly roles: Roles | null;
}

export function commonDetail(context: MilestoneContext, message: string, at: Date) {
  return {
    schemaVersion: MILESTONE_SCHEMA_VERSION,
    application: context.application,
    execution: { name: context.executionName, arn: context.executionArn },
    amiId: context.amiId,
    newGroup: context.roles?.standby.groupName ?? null,
    previousGroup: context.roles?.active?.groupName ?? null,
    firstDeployment: context.roles?.firstDeployment ?? null,
    at: at.toISOString(),
    message,
  } as const;
}

export interface Announcement {
  /** The notification topic; none: only the event is put. */
  readonly topicArn: string | null;
  readonly subject: string;
  readonly body: string;
  readonly detail: MilestoneDetail;
  readonly at: Date;
}

export interface Announced {
  /** The topic accepted the message. */
  notified: boolean;
  /** EventBridge accepted the event. */
  eventPublished: boolean;
}

/** Tells the topic and the default event bus, side by side; never throws. */
export async function announce(announcement: Announcement): Promise<Announced> {
  const { detail } = announcement;
  const [notified, eventPublished] = await Promise.all([
    announcement.topicArn
      ? bestEffort('notification', detail.milestone, () =>
          publish(announcement.topicArn as string, announcement.subject, announcement.body, {
            milestone: detail.milestone,
            application: detail.application,
            ...(detail.milestone === 'outcome' ? { outcome: detail.outcome } : {}),
          }),
        )
      : Promise.resolve(false),
    bestEffort('event', detail.milestone, () => putEvent(detail, announcement.at)),
  ]);
  return { notified, eventPublished };
}

async function putEvent(detail: MilestoneDetail, at: Date): Promise<void> {
  const [failed] = await putEvents([
    {
      Source: EVENT_SOURCE,
      DetailType: DETAIL_TYPES[detail.milestone],
      Detail: JSON.stringify(detail),
      Time: at,
      ...(detail.execution.arn ? { Resources: [detail.execution.arn] } : {}),
    },
  ]);
  if (!failed) return;
  const text = `PutEvents failed for the entry: ${failed.errorCode}: ${failed.errorMessage}`;
  throw failed.retryable ? new TransientAwsError(text) : new AwsRequestError(text);
}

async function bestEffort(what: string, milestone: Milestone, call: () => Promise<void>): Promise<boolean> {
  try {
    await persistently(call);
    return true;
  } catch (error) {
    // The deployment goes on: a lost announcement is not worth failing, delaying or rolling it back.
    logger.warn(`could not announce the ${milestone} milestone (${what})`, { error: error as Error });
    return false;
  }
}

async function persistently(call: () => Promise<void>): Promise<void> {
  for (let retry = 0; ; retry++) {
    try {
      await call();
      return;
    } catch (error) {
      if (!(error instanceof TransientAwsError) || retry >= ANNOUNCE_RETRY_PAUSES_MS.length) throw error;
      logger.info('announcement failed transiently; trying again', { error: error.message });
      await new Promise((resolve) => setTimeout(resolve, ANNOUNCE_RETRY_PAUSES_MS[retry]));
    }
  }
}
