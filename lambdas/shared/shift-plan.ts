import * as z from 'zod/mini';
import { recordedListenerSchema } from './listener-weights';
import { targetGroupArnSchema } from './settings/fields';
import { shiftModeSchema, shiftSplitSchema } from './settings/shift';

/**
 * The gradual shift's plan (lambdas/plan-traffic-shift), kept in the state as `$.shift`: the loop's steps
 * read it, and the rollback restores the listeners it recorded (docs/design.md#gradual-shift).
 */
export const trafficFiguresSchema = z.strictObject({
  requests: z.number().check(z.minimum(0)),
  errors: z.number().check(z.minimum(0)),
  latencyMs: z.number().check(z.minimum(0)),
});

export const shiftPlanSchema = z.strictObject({
  mode: shiftModeSchema,
  split: shiftSplitSchema,
  /** Shares of production traffic for the new version, in percent, ending at 100; empty: all at once. */
  shares: z.array(z.int().check(z.minimum(1), z.maximum(100))),
  /** How many shares (the loop's Choice compares the current step's number with it). */
  steps: z.int().check(z.minimum(0)),
  bakeMinutes: z.int().check(z.minimum(1)),
  /** The share reached: number 0 before the first. */
  current: z.strictObject({
    number: z.int().check(z.minimum(0)),
    share: z.int().check(z.minimum(0), z.maximum(100)),
  }),
  mainTargetGroupArn: targetGroupArnSchema,
  /** Where the new version's targets take their share while it bakes: synthetic by weight, else main. */
  newTargetGroupArn: targetGroupArnSchema,
  /** By weight: each production listener's default actions before the shift. Empty otherwise. */
  listeners: z.array(recordedListenerSchema),
  /** The load balancers routing to the main target group (the metrics' LoadBalancer dimension). */
  loadBalancerArns: z.array(z.string().check(z.minLength(1))),
  /** With comparison on and an old version serving: the old version's figures before the shift. */
  baseline: z.optional(trafficFiguresSchema),
  /** What the plan chose and why, in words (the console shows it). */
  summary: z.string(),
});
export type ShiftPlan = z.infer<typeof shiftPlanSchema>;
