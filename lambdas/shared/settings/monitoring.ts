import * as z from 'zod/mini';
import { comparisonSchema } from './shift';

/**
 * The rollback window's settings (`monitoring` in the configuration), apart from the whole configuration's
 * schema (./index.ts): the window's check validates only these.
 */

/** The longest rollback window the configuration or an execution's override may ask for (24 h). */
export const MAX_ROLLBACK_WINDOW_MINUTES = 1_440;

/** Transitions one monitoring iteration costs in execution history (Task 5, Choice 2, Wait 2). */
export const HISTORY_EVENTS_PER_POLL = 9;
/** Step Functions fails an execution at 25,000 history events; keep the window well below that. */
export const MAX_MONITOR_POLLS = 2_000;

/** CloudWatch alarms (metric or composite, by name or ARN) that fail the deployment when in ALARM. */
export const alarmNamesSchema = z
  .array(z.string().check(z.minLength(1), z.maxLength(255)))
  .check(z.maxLength(100, 'at most 100 alarms (DescribeAlarms limit)'));

export const monitoringSchema = z
  .strictObject({
    /** CloudWatch alarms (metric or composite) that fail the deployment when in ALARM. */
    alarmNames: alarmNamesSchema,
    rollbackWindowMinutes: z._default(
      z.int().check(z.minimum(0), z.maximum(MAX_ROLLBACK_WINDOW_MINUTES)),
      60,
    ),
    intervalSeconds: z._default(z.int().check(z.minimum(10), z.maximum(300)), 30),
    /** New-version targets allowed to be unhealthy in the main target group before rolling back. */
    maxUnhealthyTargets: z._default(z.int().check(z.minimum(0)), 0),
    /**
     * New alarms, and alarms on metrics only reported when non-zero (5xx counts), sit in INSUFFICIENT_DATA:
     * by default that is not a failure; "alarm" makes it one for teams whose alarms always have data.
     */
    insufficientDataIs: z._default(z.enum(['ok', 'alarm']), 'ok'),
    /**
     * An empty `alarmNames` leaves the window watching only the new targets' health: a version that errs
     * while its health checks pass is kept. Refused unless this says so.
     */
    allowNoAlarms: z.optional(z.boolean()),
    /** The new version judged against the old one on the same traffic (docs/design.md#comparison). */
    comparison: z.prefault(comparisonSchema, {}),
  })
  .check(
    z.refine((m) => m.alarmNames.length > 0 || m.allowNoAlarms === true, {
      message:
        'is empty: the rollback window would watch only target health, so a new version that errs while passing its health checks would be kept. Name at least one CloudWatch alarm (metric or composite), or set "allowNoAlarms": true to deploy without alarms',
      path: ['alarmNames'],
    }),
    z.refine((m) => (m.rollbackWindowMinutes * 60) / m.intervalSeconds <= MAX_MONITOR_POLLS, {
      message: `rollbackWindowMinutes * 60 / intervalSeconds must be at most ${MAX_MONITOR_POLLS} (each poll adds ${HISTORY_EVENTS_PER_POLL} events to the execution history, capped at 25,000): raise intervalSeconds or shorten the window`,
    }),
  );
export type MonitoringSettings = z.infer<typeof monitoringSchema>;
