import * as z from 'zod/mini';

/**
 * How production traffic moves to the new version (`shift` in the configuration, overridable per execution):
 * all at once, or in shares that each bake under the window's checks (docs/design.md#gradual-shift).
 */

/** Linear steps smaller than this would make more steps than the history and the operator can follow. */
export const MIN_LINEAR_STEP_PERCENT = 5;
/** A shift's bakes together may last this long at most: the execution's timeout counts it whole. */
export const MAX_TOTAL_BAKE_MINUTES = 480;

export const shiftModeSchema = z.enum(['all-at-once', 'canary', 'linear']);
export type ShiftMode = z.infer<typeof shiftModeSchema>;
export const shiftSplitSchema = z.enum(['instances', 'weight']);
export type ShiftSplit = z.infer<typeof shiftSplitSchema>;

const shiftFields = {
  mode: z._default(shiftModeSchema, 'all-at-once'),
  /**
   * `instances`: the new group serves beside the old one in the main target group, each side's share in
   * instances, the other side's in Standby. `weight`: the listener's default action forwards to the main and
   * the synthetic target group with weights, restored exactly as it was afterwards.
   */
  split: z._default(shiftSplitSchema, 'instances'),
  /** canary: the share of production traffic the new version takes first, in percent. */
  canaryPercent: z._default(z.int().check(z.minimum(1), z.maximum(99)), 10),
  /** linear: each step adds this share, in percent (25: 25 %, 50 %, 75 %, then all). */
  linearStepPercent: z._default(z.int().check(z.minimum(MIN_LINEAR_STEP_PERCENT), z.maximum(50)), 25),
  /** How long each share below 100 % runs under the window's checks before the next one. */
  bakeMinutes: z._default(z.int().check(z.minimum(1), z.maximum(120)), 5),
};

function bakesFit(shift: {
  mode: ShiftMode;
  canaryPercent: number;
  linearStepPercent: number;
  bakeMinutes: number;
}): boolean {
  return partialShares(shift).length * shift.bakeMinutes <= MAX_TOTAL_BAKE_MINUTES;
}
const bakesFitMessage = {
  message: `the bakes together (one per share below 100 %, bakeMinutes each) must last at most ${MAX_TOTAL_BAKE_MINUTES} minutes: take fewer steps (a larger linearStepPercent) or shorter bakes`,
  path: ['bakeMinutes'],
};

export const shiftSchema = z.strictObject(shiftFields).check(z.refine(bakesFit, bakesFitMessage));
export type ShiftSettings = z.infer<typeof shiftSchema>;

/** An execution's override: any of the fields, the rest from the configuration. */
export const shiftOverrideSchema = z.partial(z.strictObject(shiftFields));
export type ShiftOverride = z.infer<typeof shiftOverrideSchema>;

/**
 * The shares of production traffic the new version takes before it takes it all, in percent, ascending:
 * none for all-at-once, the canary's one, or the linear steps below 100.
 */
export function partialShares(
  shift: Pick<ShiftSettings, 'mode' | 'canaryPercent' | 'linearStepPercent'>,
): number[] {
  if (shift.mode === 'canary') return [shift.canaryPercent];
  if (shift.mode === 'linear') {
    const shares: number[] = [];
    for (let share = shift.linearStepPercent; share < 100; share += shift.linearStepPercent)
      shares.push(share);
    return shares;
  }
  return [];
}

/** The most shares below 100 % any shift the schema accepts can take (linear at the smallest step). */
export const MAX_PARTIAL_SHARES = Math.ceil(100 / MIN_LINEAR_STEP_PERCENT) - 1;

/**
 * How the new version is judged against the old one on the same traffic (`monitoring.comparison`): during
 * each bake and the window, from the load balancer's per-target-group metrics (docs/design.md#comparison).
 */
export const comparisonSchema = z.strictObject({
  /** Off by default: a new check that can roll back a version is something a team opts into. */
  enabled: z._default(z.boolean(), false),
  /** The new version's 5xx rate may exceed the old one's by this many percentage points. */
  maxErrorRateIncreasePoints: z._default(z.number().check(z.minimum(0), z.maximum(100)), 1),
  /** The new version's average response time may exceed the old one's by this much, in percent. */
  maxLatencyIncreasePercent: z._default(z.number().check(z.minimum(0), z.maximum(1_000)), 25),
  /** Fewer requests than this on either side in the period: no verdict yet (too few to tell noise apart). */
  minRequests: z._default(z.int().check(z.minimum(1), z.maximum(1_000_000)), 100),
  /** The old version's figures before the shift, over this many whole minutes (the baseline). */
  baselineMinutes: z._default(z.int().check(z.minimum(1), z.maximum(60)), 10),
});
export type ComparisonSettings = z.infer<typeof comparisonSchema>;
