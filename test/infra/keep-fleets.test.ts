import { allStates } from '../support/asl-states';
import { buildApp } from '../../infra/app-builder';
import { loadConfig, type ConfigFile } from '../../infra/config';
import { KEEP_STATES } from '../../lambdas/shared/contract';
import {
  historyBudget,
  HISTORY_EVENTS_PER_POLL,
  KEEP_CHECK_INTERVAL_SECONDS,
  settingsSchema,
} from '../../lambdas/shared/settings';
import {
  resolveDefinition,
  type AslDefinition,
  type CfnTemplate,
} from '../../simulator/engine/resolve-definition';
import { EXAMPLE_CONFIG, synthExample, testApp } from '../support/synth';

/** Issue 12, items 5 and 7: the kept fleets in the synthesized definition, its timeout and history budget. */
type Catch = { ErrorEquals: string[]; Next: string; ResultPath?: string | null };

const example = loadConfig(EXAMPLE_CONFIG);
const withDeployment = (patch: Record<string, unknown>): ConfigFile =>
  ({ ...example, deployment: { ...example.deployment, ...patch } }) as ConfigFile;

function definitionOf(config: ConfigFile): AslDefinition {
  return resolveDefinition(synthExample(config).template.toJSON() as CfnTemplate, {
    region: 'us-east-1',
    accountId: '123456789012',
  });
}

const plain = definitionOf(example);
const kept = definitionOf(withDeployment({ keepOldFleetMinutes: 30, keepFailedFleetMinutes: 20 }));
const states = allStates(kept);

describe('kept fleets in the definition', () => {
  it('adds nothing when both keeps are 0 (the default): the definition is as before', () => {
    const names = Object.keys(allStates(plain));
    for (const keep of Object.values(KEEP_STATES)) {
      expect(names.filter((name) => name.startsWith(keep))).toEqual([]);
    }
    expect(plain.States['Shift traffic and monitor']).toMatchObject({ Next: 'Finish deployment' });
  });

  it('keeps the old fleet between the window and the finish; an undo goes to the rollback (I1), anything else to the finish', () => {
    expect(kept.States['Shift traffic and monitor']).toMatchObject({ Next: KEEP_STATES.oldFleet });
    const keep = states[KEEP_STATES.oldFleet];
    expect(keep.Next).toBe('Finish deployment');
    expect(keep.Catch).toEqual([
      { ErrorEquals: ['UndoRequestedError'], Next: 'Roll back to the old version', ResultPath: '$.failure' },
      { ErrorEquals: ['States.ALL'], Next: 'Finish deployment', ResultPath: null },
    ]);
    // A first deployment has no old fleet to keep.
    expect(states['Is there an old fleet to keep?'].Default).toBe(KEEP_STATES.oldFleetWait);
    expect(states[`${KEEP_STATES.oldFleetWait}: check`].Parameters).toMatchObject({
      'requestGroup.$': '$.roles.standby.groupName',
      'keptGroup.$': '$.roles.active.groupName',
      purpose: 'undo',
      keepSeconds: 30 * 60,
    });
    expect(states[`${KEEP_STATES.oldFleetWait}: pause`].Seconds).toBe(KEEP_CHECK_INTERVAL_SECONDS);
  });

  it('keeps a rolled-back fleet only once it has left its target groups, then scales it to zero whatever the keep did', () => {
    expect(states['Rollback: wait until new group has left target groups: done?'].Default).toBe(
      KEEP_STATES.failedFleetAfterRollback,
    );
    expect(states[`${KEEP_STATES.failedFleetAfterRollback}: done?`].Default).toBe(
      'Rollback: scale new group to zero',
    );
    expect(states[`${KEEP_STATES.failedFleetAfterRollback}: check`].Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Rollback: scale new group to zero' }),
    ]);
    expect(states[`${KEEP_STATES.failedFleetAfterRollback}: check`].Parameters).toMatchObject({
      'keptGroup.$': '$.roles.standby.groupName',
      purpose: 'debug',
      keepSeconds: 20 * 60,
    });
  });

  it('keeps an aborted fleet once it has left the synthetic target group (it never was in the main one)', () => {
    expect(states['Abort: detach new group from synthetic target group'].Next).toBe(
      KEEP_STATES.failedFleetAfterAbort,
    );
    expect(states[`${KEEP_STATES.failedFleetAfterAbort}: done?`].Default).toBe(
      'Abort: scale new group to zero',
    );
    expect((states[`${KEEP_STATES.failedFleetAfterAbort}: check`].Catch as Catch[])[0].Next).toBe(
      'Abort: scale new group to zero',
    );
  });

  it('lengthens the execution timeout by the time both keeps may take', () => {
    expect(Number(kept.TimeoutSeconds) - Number(plain.TimeoutSeconds)).toBe((30 + 20) * 60);
  });
});

describe('kept fleets in the history budget (I3)', () => {
  const settings = (patch: Record<string, unknown>) =>
    settingsSchema.parse({
      applicationName: 'webapp',
      groups: { blue: 'webapp-blue', green: 'webapp-green' },
      targetGroups: {
        main: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-main/0123456789abcdef',
        synthetic:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-synthetic/fedcba9876543210',
      },
      amiSelector: { tag: { key: 'Application', value: 'webapp' } },
      syntheticChecks: { endpoint: 'http://alb.example.com', checks: [{ path: '/health' }] },
      monitoring: { alarmNames: ['webapp-5xx'] },
      ...patch,
    });

  it('counts every check of each keep, and a spent retrier for each keep wait', () => {
    const base = historyBudget(settings({})).total;
    const oneHour = historyBudget(settings({ keepOldFleetMinutes: 60 })).total;
    expect(oneHour - base).toBe((3600 / KEEP_CHECK_INTERVAL_SECONDS + 1) * HISTORY_EVENTS_PER_POLL + 6 * 3);
  });

  it('refuses at synth keeps that, with the window, could overflow the history, naming the keeps', () => {
    const synth = (patch: Record<string, unknown>) => () => buildApp(withDeployment(patch), testApp());
    expect(synth({ keepOldFleetMinutes: 720 })).not.toThrow();
    expect(
      synth({
        keepOldFleetMinutes: 720,
        keepFailedFleetMinutes: 720,
        monitoring: { ...example.deployment.monitoring, rollbackWindowMinutes: 600 },
      }),
    ).toThrow(
      /execution history events.*keep the fleets for less time \(keepOldFleetMinutes, keepFailedFleetMinutes/,
    );
  });
});
