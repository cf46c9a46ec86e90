import { KEEP_STATES, pauseOf } from '../../lambdas/shared/contract';
import { simulate } from '../../simulator/engine/simulation';

/**
 * Kept fleets and the executions around them (docs/design.md#keeping-fleets); a review found each of these
 * wrong. A recovery resuming a failed fleet's keep keeps it again: the resumed clean-up runs as the recovery
 * (plan-recovery gives it the recovery's own execution), which the keep's wait must not take for a newer
 * deployment.
 */
describe('a recovery resuming a failed fleet keep', () => {
  it('keeps the failed fleet again (for about keepFailedFleetMinutes)', async () => {
    const entered: { state: string; at: number; execution?: string }[] = [];
    const report = await simulate(
      { scenario: 'keep-failed-fleet', seed: 1, stopAt: pauseOf(KEEP_STATES.failedFleetAfterRollback) },
      { onStateEntered: (state, at) => entered.push({ state, at }) },
    );
    const recovery = report.executions[1];
    expect(recovery.outcome).toBe('rolled-back');
    const keeps = entered.filter((e) => e.state === KEEP_STATES.failedFleetAfterRollback);
    const scaled = entered.filter((e) => e.state === 'Rollback: scale new group to zero');
    // The recovery's keep (the second one entered) ends in the same virtual second as it starts.
    const recoveryKeptFor = scaled[scaled.length - 1].at - keeps[keeps.length - 1].at;
    expect(recoveryKeptFor).toBeGreaterThanOrEqual(60);
  }, 60_000);
});

describe('a keep ends only for a deployment that needs the groups', () => {
  it('an AMI event for an AMI that is no release (skipped) does not end a 60-minute keep', async () => {
    const entered: { state: string; at: number }[] = [];
    const report = await simulate(
      { scenario: 'foreign-ami-during-keep', seed: 1 },
      { onStateEntered: (state, at) => entered.push({ state, at }) },
    );
    expect(report.executions.map((e) => e.outcome)).toEqual(['succeeded', 'skipped']);
    const keptAt = entered.find((e) => e.state === KEEP_STATES.oldFleetWait)?.at ?? NaN;
    const retiredAt = entered.find((e) => e.state === 'Retire old fleet')?.at ?? NaN;
    expect(retiredAt - keptAt).toBeGreaterThanOrEqual(60 * 60 - 60);
  }, 60_000);
});

describe('undo deploys what the serving release replaced', () => {
  it.each(['undo-after-finish-hook-failed', 'undo-after-recovered-finish'])(
    '%s',
    async (scenario) => {
      // The scenario's last run checks planUndo before it starts (expectUndoOf): it throws when wrong.
      await expect(simulate({ scenario, seed: 1 })).resolves.toBeDefined();
    },
    120_000,
  );
});

describe('a promote during the window', () => {
  it('leaves the old fleet kept for keepOldFleetMinutes (the window-passed milestone says it is kept until then)', async () => {
    const entered: { state: string; at: number }[] = [];
    const report = await simulate(
      { scenario: 'promote-then-keep', seed: 1 },
      { onStateEntered: (state, at) => entered.push({ state, at }) },
    );
    const passed = report.events.find((event) => event.detail.milestone === 'window-passed');
    expect(passed?.detail).toMatchObject({ oldFleetKeptUntil: expect.any(String) });
    const keptAt = entered.find((e) => e.state === KEEP_STATES.oldFleetWait)?.at ?? NaN;
    const retiredAt = entered.find((e) => e.state === 'Retire old fleet')?.at ?? NaN;
    expect(retiredAt - keptAt).toBeGreaterThanOrEqual(30 * 60 - 60);
  }, 60_000);
});
