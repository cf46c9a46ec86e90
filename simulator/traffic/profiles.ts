/**
 * How many user requests arrive each simulated second: a constant rate, a step from one rate to another, or
 * a daily curve between a trough and a peak (docs/simulation-guide.md#load-and-capacity).
 */
export type TrafficProfile =
  | { readonly kind: 'constant'; readonly requestsPerSecond: number }
  /** `from` requests a second, then `to` from `atSeconds` after the start. */
  | { readonly kind: 'step'; readonly from: number; readonly to: number; readonly atSeconds: number }
  /**
   * A sinusoid between `trough` and `peak` over `periodSeconds` (default a day). `phase` (0–1, default 0)
   * is where in the period the simulation starts: 0 at the trough, 0.25 halfway up the rising edge, 0.5 at
   * the peak, 0.75 halfway down.
   */
  | {
      readonly kind: 'daily';
      readonly trough: number;
      readonly peak: number;
      readonly periodSeconds?: number;
      readonly phase?: number;
    };

const DAY_SECONDS = 24 * 3600;

/** Requests per second the profile sends `elapsedSeconds` after the simulation started. */
export function rateAt(profile: TrafficProfile, elapsedSeconds: number): number {
  switch (profile.kind) {
    case 'constant':
      return profile.requestsPerSecond;
    case 'step':
      return elapsedSeconds < profile.atSeconds ? profile.from : profile.to;
    case 'daily': {
      const period = profile.periodSeconds ?? DAY_SECONDS;
      const angle = 2 * Math.PI * (elapsedSeconds / period + (profile.phase ?? 0));
      return profile.trough + ((profile.peak - profile.trough) * (1 - Math.cos(angle))) / 2;
    }
  }
}

/** The highest rate the profile ever sends. */
export function peakRate(profile: TrafficProfile): number {
  switch (profile.kind) {
    case 'constant':
      return profile.requestsPerSecond;
    case 'step':
      return Math.max(profile.from, profile.to);
    case 'daily':
      return Math.max(profile.trough, profile.peak);
  }
}

/** Refuses a profile with a negative or non-finite rate, a negative step time, or a period ≤ 0. */
export function checkProfile(profile: TrafficProfile): void {
  const rates =
    profile.kind === 'constant'
      ? [profile.requestsPerSecond]
      : profile.kind === 'step'
        ? [profile.from, profile.to]
        : [profile.trough, profile.peak];
  if (!rates.every((rate) => Number.isFinite(rate) && rate >= 0)) {
    throw new Error('requestsPerSecond must be ≥ 0');
  }
  if (profile.kind === 'step' && !(profile.atSeconds >= 0)) throw new Error('a step needs atSeconds ≥ 0');
  if (profile.kind === 'daily' && !((profile.periodSeconds ?? DAY_SECONDS) > 0)) {
    throw new Error('a daily curve needs periodSeconds > 0');
  }
}
