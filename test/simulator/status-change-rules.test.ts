import type { EventRule } from '../../simulator/account/event-rules';
import { simulate, workflowFor, type SimulationHooks } from '../../simulator/engine/simulation';

import { startingExecutionsOf } from '../support/principals';

/**
 * A rule on the state machine's own "Step Functions Execution Status Change" events (a recovery rule added
 * here by hand, in place of the construct's, so as not to depend on it): an execution the scenario stops ends
 * ABORTED, its event starts a recovery execution whose input names it and has no amiId, and the simulation
 * waits for that execution and reports it, as one no run expected, saying which rule and event started it.
 */

const options = { scenario: 'happy', seed: 1, windowMinutes: 5, stopAt: 'Put old fleet in standby' };
const { stateMachineArn } = workflowFor(options);
const executionArn = (name: string) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

const role = startingExecutionsOf(stateMachineArn, 'RecoveryRuleRole');

const recoveryRule: EventRule = {
  name: 'RecoverEndedDeployment',
  state: 'ENABLED',
  eventPattern: {
    source: ['aws.states'],
    'detail-type': ['Step Functions Execution Status Change'],
    // The run's execution only: the recovery's own ending (it may fail, on this definition it is rejected)
    // must not start another, which would go on forever (MAX_STATUS_CHANGE_CHAIN stops such a loop).
    detail: { status: ['ABORTED', 'FAILED', 'TIMED_OUT'], name: ['deployment-0001'] },
  },
  targets: [
    {
      id: 'Target0',
      arn: stateMachineArn,
      role,
      inputTransformer: {
        inputPathsMap: { execution: '$.detail.executionArn' },
        inputTemplate: '{"recoverFrom": <execution>, "trigger": "recovery"}',
      },
    },
  ],
};

// In place of the construct's own recovery rules (shipped by default, tested in scenarios and stop tests).
const shipped = (rule: EventRule) => rule.name.includes('Recover');
const withRecovery: SimulationHooks = {
  rules: (rules) => [...rules.filter((r) => !shipped(r)), recoveryRule],
};
const withoutRecovery: SimulationHooks = { rules: (rules) => rules.filter((r) => !shipped(r)) };

describe('a rule on Step Functions status change events during a simulation', () => {
  it('the stopped execution starts a recovery execution, which is waited for and reported', async () => {
    const report = await simulate(options, withRecovery);

    const [stopped, recovery, ...more] = report.executions;
    expect(stopped).toMatchObject({
      name: 'deployment-0001',
      outcome: 'failed',
      stoppedAt: options.stopAt,
      startedBy: { by: 'run-input' },
    });
    expect(recovery).toMatchObject({
      name: 'deployment-0002',
      // What docs/recovery.md promises after a stop in the window: the rollback, resumed.
      outcome: 'rolled-back',
      expectedOutcome: 'rolled-back',
      startedBy: {
        by: 'rule',
        rule: 'RecoverEndedDeployment',
        event: {
          id: expect.any(String),
          source: 'aws.states',
          detailType: 'Step Functions Execution Status Change',
          resources: [executionArn('deployment-0001')],
        },
      },
    });
    expect(recovery.notStarted).toBeUndefined();
    // Waited for: it ended (a record still running would report its status, RUNNING).
    expect(recovery.message).not.toBe('RUNNING');
    expect(more).toEqual([]);
    expect(report.invariantViolations).toEqual([]);
  }, 120_000);

  it('without such a rule the same run starts nothing more, and every run-started execution says so', async () => {
    const report = await simulate(options, withoutRecovery);
    expect(report.executions).toEqual([
      expect.objectContaining({ stoppedAt: options.stopAt, startedBy: { by: 'run-input' } }),
    ]);
  }, 120_000);

  it('the same seed replays the same executions', async () => {
    const names = async () =>
      (await simulate(options, withRecovery)).executions.map((execution) => [
        execution.name,
        execution.outcome,
        execution.startedBy,
      ]);
    expect(await names()).toEqual(await names());
  }, 240_000);
});
