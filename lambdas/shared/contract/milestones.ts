import * as z from 'zod/mini';
import { OUTCOMES } from './outcomes';
import './zod-locale';

/**
 * The milestones a deployment announces, in the order they happen, on the notification topic and as
 * EventBridge events on the account's default bus (docs/events.md is their reference). The first four come
 * from the `publish-milestone` step; `outcome` from the `report-outcome` step, which ends every execution.
 */
export const MILESTONES = [
  'started',
  'new-version-ready',
  'approval-requested',
  'traffic-shifted',
  'window-passed',
  'outcome',
] as const;
export type Milestone = (typeof MILESTONES)[number];

/** The milestones the `publish-milestone` step announces (the outcome is the report's). */
export type ProgressMilestone = Exclude<Milestone, 'outcome'>;

/**
 * The state that announces each milestone, as the console shows it (state-machine/phases/milestones.ts);
 * the simulation expects an announcement from every one an execution went through.
 */
export const MILESTONE_STATES: Readonly<Record<ProgressMilestone, string>> = {
  started: 'Milestone: deployment started',
  'new-version-ready': 'Milestone: new version ready',
  'approval-requested': 'Milestone: approval requested',
  'traffic-shifted': 'Milestone: traffic shifted',
  'window-passed': 'Milestone: rollback window passed',
};

/** `source` of every event the orchestrator puts on EventBridge (custom sources may not start with `aws.`). */
export const EVENT_SOURCE = 'asg-blue-green';

/** `detail-type` of each milestone's event. */
export const DETAIL_TYPES: Readonly<Record<Milestone, string>> = {
  started: 'Blue/Green Deployment Started',
  'new-version-ready': 'Blue/Green Deployment New Version Ready',
  'approval-requested': 'Blue/Green Deployment Approval Requested',
  'traffic-shifted': 'Blue/Green Deployment Traffic Shifted',
  'window-passed': 'Blue/Green Deployment Window Passed',
  outcome: 'Blue/Green Deployment Outcome',
};

/** Bumped when a field changes meaning or goes away; new fields may appear without a bump. */
export const MILESTONE_SCHEMA_VERSION = 1;

const capacity = z.object({ min: z.int(), desired: z.int(), max: z.int() });
const timestamp = z.iso.datetime();

/** What every milestone's `detail` carries. Unknown values are null, never left out. */
const common = {
  schemaVersion: z.literal(MILESTONE_SCHEMA_VERSION),
  application: z.string().check(z.minLength(1)),
  execution: z.object({
    name: z.string().check(z.minLength(1)),
    /** The execution ARN, as `aws stepfunctions describe-execution` takes it. */
    arn: z.nullable(z.string()),
  }),
  amiId: z.nullable(z.string()),
  /** The group that receives the new version (the standby group when the deployment started). */
  newGroup: z.nullable(z.string()),
  /** The group that served before this deployment; null on a first deployment. */
  previousGroup: z.nullable(z.string()),
  firstDeployment: z.nullable(z.boolean()),
  /** When the milestone was reached (ISO 8601, UTC); the event's `time` says the same. */
  at: timestamp,
  /** The same plain words as the SNS message's first line. */
  message: z.string().check(z.minLength(1)),
};

/** The `detail` of each milestone's EventBridge event: docs/events.md describes every field. */
export const milestoneDetailSchema = z.discriminatedUnion('milestone', [
  z.object({ milestone: z.literal('started'), ...common, capacity: z.nullable(capacity) }),
  z.object({
    milestone: z.literal('new-version-ready'),
    ...common,
    /** The launch template version the new group launches (never `$Latest`). */
    launchTemplateVersion: z.nullable(z.int()),
    /** How many instances are in service on it. */
    instances: z.nullable(z.int()),
  }),
  z.object({
    milestone: z.literal('approval-requested'),
    ...common,
    /** Until when the deployment waits for an answer (ISO 8601, UTC). */
    deadline: timestamp,
    /** What it does unanswered by then: abort (production untouched) or continue without approval. */
    onTimeout: z.enum(['abort', 'continue']),
    /** The AWS CLI command that approves (the same with `Value=rollback` rejects). */
    approveCommand: z.string(),
  }),
  z.object({
    milestone: z.literal('traffic-shifted'),
    ...common,
    /** How long the new version is watched before the deployment finishes (the execution's override included). */
    rollbackWindowMinutes: z.nullable(z.int()),
  }),
  z.object({
    milestone: z.literal('window-passed'),
    ...common,
    /** True when an operator promoted the new version before the window's end. */
    promoted: z.boolean(),
    /** How long the window ran, in seconds. */
    elapsedSeconds: z.nullable(z.number()),
    /** The window's last check in words: alarms and targets. */
    summary: z.nullable(z.string()),
    /**
     * Until when the old fleet is kept in Standby for an undo (keepOldFleetMinutes), then retired; null when
     * it is retired at once or there is none. Absent from events of versions before it.
     */
    oldFleetKeptUntil: z.optional(z.nullable(timestamp)),
  }),
  z.object({
    milestone: z.literal('outcome'),
    ...common,
    /** How the execution ended, as the report step names it and the CLI reads it. */
    outcome: z.enum(OUTCOMES),
    /** The group serving production after this execution, when the execution knows it. */
    activeGroup: z.nullable(z.string()),
    /** Why it ended so (a failure's message, a skip's reason); null when it succeeded. */
    reason: z.nullable(z.string()),
  }),
]);
export type MilestoneDetail = z.infer<typeof milestoneDetailSchema>;
