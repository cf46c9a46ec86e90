import { SFNClient } from '@aws-sdk/client-sfn';
import { planUndo } from '../../cli/operations/undo-plan';
import { amiOf } from '../engine/plan';
import { KEEP_STATES, pauseOf } from '../../lambdas/shared/contract';
import type { BetweenRuns, Scenario } from './catalog';
import { hookFunctionArn } from './hooks';

/**
 * Asks, as `npm run ops -- undo` does, what undoing the latest success deploys: the run that follows deploys
 * exactly that, so the scenario fails if the plan and the AMI the account ends on differ.
 */
const expectUndoOf =
  (ami: string) =>
  async ({ account }: BetweenRuns): Promise<void> => {
    const { region, accountId, applicationName = 'webapp' } = account.environment;
    const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${applicationName}-blue-green-deployment`;
    const plan = await planUndo(new SFNClient({ region }), stateMachineArn);
    if (plan.kind !== 'full' || plan.amiId !== amiOf(ami)) {
      throw new Error(`undo would not deploy ${amiOf(ami)} (${ami}): ${JSON.stringify(plan)}`);
    }
  };

/** Undo after finish (docs/design.md#undo) and the kept fleets (docs/design.md#keeping-fleets). */
export const UNDO_SCENARIOS: readonly Scenario[] = [
  {
    name: 'undo-full',
    description:
      'A deployment succeeds, then undo deploys the AMI it replaced (its recorded previousAmiId): the account serves the previous AMI again.',
    runs: [
      { input: { amiId: '{next}' }, expectedOutcome: 'succeeded' },
      { input: { amiId: '{current}' }, expectedOutcome: 'succeeded', before: expectUndoOf('{current}') },
    ],
  },
  {
    name: 'undo-fast',
    description:
      'With keepOldFleetMinutes, an operator asks for an undo while the old fleet is kept in Standby: it serves again (no launch) before the new group leaves; rolled back.',
    deployment: () => ({ keepOldFleetMinutes: 30 }),
    runs: [
      {
        input: { amiId: '{next}' },
        expectedOutcome: 'rolled-back',
        operatorRequest: { state: pauseOf(KEEP_STATES.oldFleetWait), group: 'webapp-green', request: 'undo' },
      },
    ],
  },
  {
    name: 'keep-old-fleet-expires',
    description:
      'With keepOldFleetMinutes, nobody asks for an undo: the old fleet waits in Standby for the set time, then the finish retires it as usual.',
    deployment: () => ({ keepOldFleetMinutes: 15 }),
    runs: [{ input: { amiId: '{next}' }, expectedOutcome: 'succeeded' }],
  },
  {
    name: 'release-during-keep',
    description:
      'With keepOldFleetMinutes: 60, a pipeline deploys a newer release while the old fleet is kept: it waits its turn, the keep ends at its next check (the finish retires the old fleet), then the newer release deploys.',
    deployment: () => ({ keepOldFleetMinutes: 60 }),
    runs: [
      { input: { amiId: '{next}' }, expectedOutcome: 'succeeded' },
      {
        input: { amiId: '{third}' },
        expectedOutcome: 'succeeded',
        concurrentWithPrevious: true,
        startsWhen: { state: KEEP_STATES.oldFleetWait, afterSeconds: 30 },
      },
    ],
  },
  {
    name: 'foreign-ami-during-keep',
    description:
      'with keepOldFleetMinutes: 60, an AMI of no release (it never gets the tags) becomes available during the keep: its execution is skipped, yet the keep goes on.',
    deployment: () => ({ keepOldFleetMinutes: 60 }),
    runs: [
      { input: { amiId: '{next}' }, expectedOutcome: 'succeeded' },
      {
        trigger: { publish: '{third}', tagsAfterSeconds: 86_400 },
        expectedOutcome: 'skipped',
        concurrentWithPrevious: true,
        startsWhen: { state: KEEP_STATES.oldFleetWait, afterSeconds: 30 },
      },
    ],
  },
  {
    name: 'undo-after-finish-hook-failed',
    description:
      'a deployment succeeds but its after-finish hook fails (reported as succeeded); undo deploys the AMI it replaced.',
    environment: {
      hookFunctions: [
        {
          arn: hookFunctionArn('update-inventory'),
          behaviour: { kind: 'fail', reason: 'the inventory service answered 503' },
        },
      ],
    },
    deployment: () => ({
      hooks: [{ stage: 'after-finish', functionArn: hookFunctionArn('update-inventory') }],
    }),
    runs: [
      { input: { amiId: '{next}' }, expectedOutcome: 'succeeded' },
      { input: { amiId: '{current}' }, expectedOutcome: 'succeeded', before: expectUndoOf('{current}') },
    ],
  },
  {
    name: 'undo-after-recovered-finish',
    description:
      'v2 is stopped while finishing with v3 queued behind it; its recovery (started after v3) finishes v2, then v3 deploys. Undo deploys v2 (what v3 replaced), not v1.',
    stopAt: 'Retire old fleet',
    runs: [
      { input: { amiId: '{next}' }, expectedOutcome: 'failed', expectStoppedAt: 'Retire old fleet' },
      {
        input: { amiId: '{third}' },
        expectedOutcome: 'succeeded',
        concurrentWithPrevious: true,
        startsWhen: { state: 'Monitor new version during rollback window', afterSeconds: 30 },
      },
      { input: { amiId: '{next}' }, expectedOutcome: 'succeeded', before: expectUndoOf('{next}') },
    ],
  },
  {
    name: 'promote-then-keep',
    description:
      'with keepOldFleetMinutes: 30, an operator promotes during the window (ends it early); the old fleet is still kept for an undo.',
    deployment: () => ({ keepOldFleetMinutes: 30 }),
    runs: [
      {
        input: { amiId: '{next}' },
        expectedOutcome: 'succeeded',
        operatorRequest: {
          state: pauseOf('Monitor new version during rollback window'),
          group: 'webapp-green',
          request: 'promote',
        },
      },
    ],
  },
  {
    name: 'keep-failed-fleet',
    description:
      'With keepFailedFleetMinutes, a bad version is rolled back by its alarm: its fleet stays running, detached from every target group, for the set time, then is scaled to zero.',
    deployment: () => ({ keepFailedFleetMinutes: 20 }),
    environment: { newVersion: { errorRate: 0.5, errorsFromMinuteAfterShift: 10 } },
    runs: [{ input: { amiId: '{next}' }, expectedOutcome: 'rolled-back' }],
  },
  {
    name: 'keep-failed-fleet-released',
    description:
      'With keepFailedFleetMinutes, a version failing its synthetic checks is aborted and kept for debugging; an operator releases it early (tag release) and it is scaled to zero.',
    deployment: () => ({ keepFailedFleetMinutes: 60 }),
    environment: { newVersion: { failSyntheticChecks: true } },
    runs: [
      {
        input: { amiId: '{next}' },
        expectedOutcome: 'aborted',
        operatorRequest: {
          state: pauseOf(KEEP_STATES.failedFleetAfterAbort),
          group: 'webapp-green',
          request: 'release',
        },
      },
    ],
  },
];
