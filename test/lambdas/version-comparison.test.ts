import { compareVersions, newVersionPart } from '../../lambdas/monitor-new-version/comparison';

/** The comparison's verdicts (docs/design.md#comparison), from figures as the load balancer's metrics give them. */

const SETTINGS = {
  enabled: true,
  maxErrorRateIncreasePoints: 1,
  maxLatencyIncreasePercent: 25,
  minRequests: 100,
  baselineMinutes: 10,
};
const what = { period: 'in the same minutes', old: 'in the same minutes' };
const old = { requests: 1_000, errors: 5, latencyMs: 20 };

describe('compareVersions', () => {
  it('gives no verdict while either side has fewer requests than minRequests', () => {
    const line = compareVersions({ requests: 99, errors: 99, latencyMs: 900 }, old, SETTINGS, what);
    expect(line).toMatch(/waits for 100 requests on each side \(new 99, old 1,000/);
  });

  it('passes a version within both tolerances, with the figures', () => {
    const line = compareVersions({ requests: 200, errors: 2, latencyMs: 24 }, old, SETTINGS, what);
    expect(line).toBe(
      'comparison: 5xx 1.00% vs 0.50%, response 24.0 ms vs 20.0 ms (new 200 requests in the same minutes, old 1,000 in the same minutes)',
    );
  });

  it('a 5xx rate more than the allowed points over the old one throws VersionWorseThanOldError', () => {
    expect(() => compareVersions({ requests: 200, errors: 4, latencyMs: 20 }, old, SETTINGS, what)).toThrow(
      expect.objectContaining({
        name: 'VersionWorseThanOldError',
        message: expect.stringContaining('5xx rate 2.00% against 0.50% (at most +1 points allowed)'),
      }),
    );
  });

  it('a response time over the allowed increase throws, both reasons together when both hold', () => {
    expect(() => compareVersions({ requests: 200, errors: 10, latencyMs: 26 }, old, SETTINGS, what)).toThrow(
      /5xx rate 5\.00% against 0\.50%.*; average response time 26\.0 ms against 20\.0 ms \(at most \+25% allowed\)/,
    );
  });
});

describe('newVersionPart: the new version within a target group both serve', () => {
  it('recovers the new version’s figures from the mixed ones, the old version’s and the new share', () => {
    // 900 old requests at 20 ms, 0.5% errors; 100 new at 60 ms, 10% errors.
    const mixed = { requests: 1_000, errors: 4.5 + 10, latencyMs: (900 * 20 + 100 * 60) / 1_000 };
    const part = newVersionPart(mixed, old, 0.1);
    expect(part.requests).toBe(100);
    expect(part.errors).toBeCloseTo(10);
    expect(part.latencyMs).toBeCloseTo(60);
  });

  it('no share, no requests: nothing to judge', () => {
    expect(newVersionPart({ requests: 500, errors: 1, latencyMs: 20 }, old, 0)).toEqual({
      requests: 0,
      errors: 0,
      latencyMs: 0,
    });
  });
});
