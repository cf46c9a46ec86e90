import { ANNOUNCED_ONCE, RECOVERY_FOUND_NOTHING } from '../support/rejection-calls';
import {
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import type { ConfiguredProps } from '../../infra/props';
import { logger } from '../../lambdas/shared/logger';
import { SimulatedAccount } from '../../simulator/account/account';
import { defaultEnvironment } from '../../simulator/account/environment';
import { VirtualClock } from '../../simulator/engine/clock';
import { loadHandlers, type StepHandlerFunction } from '../../simulator/engine/handlers';
import { LocalStepFunctions } from '../../simulator/engine/step-functions-service';
import { synthesizeWorkflow, type SynthesizedWorkflow } from '../../simulator/engine/synthesize';
import { passed, simulate } from '../../simulator/engine/simulation';
import type { StepName } from '../../state-machine/step-registry';

/**
 * Issue 8, finding 4: StartExecution takes any JSON text, and an input that is not a JSON object must be
 * refused by the validation step like any bad request (a rejection, its notification, nothing changed),
 * not end in a Step Functions runtime error. Run on the synthesized state machine.
 */
const environment = defaultEnvironment();
const deployment: ConfiguredProps = {
  applicationName: 'webapp',
  groups: { blue: environment.groups.blue.name, green: environment.groups.green.name },
  targetGroups: { main: environment.mainTargetGroup.arn, synthetic: environment.syntheticTargetGroup.arn },
  amiSelector: { tag: { key: 'Application', value: 'webapp' } },
  syntheticChecks: { endpoint: `http://${environment.loadBalancer.dnsName}`, checks: [{ path: '/health' }] },
  monitoring: { alarmNames: environment.alarms.map((alarm) => alarm.name), rollbackWindowMinutes: 60 },
  instanceRoleArns: (environment.instanceProfiles ?? []).map((profile) => profile.roleArn),
};
const FIX = 'input: must be a JSON object like {"amiId": "ami-0123456789abcdef0"}, got';

let workflow: SynthesizedWorkflow;
let handlers: Record<StepName, StepHandlerFunction>;
let clock: VirtualClock;
let account: SimulatedAccount;
let service: LocalStepFunctions;
const client = new SFNClient({ region: environment.region });

beforeAll(async () => {
  workflow = synthesizeWorkflow(deployment, environment.region, environment.accountId);
  logger.setLogLevel('SILENT');
  handlers = await loadHandlers();
}, 60_000);

/** Starts an execution with this input text, as a pipeline would, and runs it to its end. */
async function run(input: string): Promise<DescribeExecutionCommandOutput> {
  const { executionArn } = await client.send(
    new StartExecutionCommand({ stateMachineArn: workflow.stateMachineArn, input }),
  );
  for (let second = 0; second < 600 && service.executions[0].status === 'RUNNING'; second++) {
    await clock.advance(1000);
  }
  await service.executions[0].finished;
  return client.send(new DescribeExecutionCommand({ executionArn }));
}

const world = () => {
  const { groups, targetGroups, alarms } = account.snapshot();
  return { groups, targetGroups, alarms };
};

describe('an execution input that is not a JSON object', () => {
  beforeEach(() => {
    clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    account = new SimulatedAccount(environment, { seed: 1 });
    service = new LocalStepFunctions(workflow, handlers, { elapsedSeconds: () => clock.elapsedSeconds() });
    account.install();
    service.install(account);
  });

  afterEach(() => {
    service.uninstall();
    account.uninstall();
    clock.uninstall();
  });

  it.each([
    [
      'an array',
      '["ami-0a1b2c3d4e5f60002"]',
      'an array; to deploy ami-0a1b2c3d4e5f60002, start the execution with {"amiId": "ami-0a1b2c3d4e5f60002"}',
    ],
    ['an array of other things', '[1, 2]', 'an array of 2 items'],
    ['an empty array', '[]', 'an empty array'],
    [
      'a string (an AMI id)',
      '"ami-0a1b2c3d4e5f60002"',
      'the string "ami-0a1b2c3d4e5f60002"; to deploy it, start the execution with {"amiId": "ami-0a1b2c3d4e5f60002"}',
    ],
    ['a string', '"deploy please"', 'a string ("deploy please")'],
    ['a number', '42', 'a number (42)'],
    ['null', 'null', 'null'],
    ['true', 'true', 'a boolean (true)'],
    ['false', 'false', 'a boolean (false)'],
  ])(
    '%s is rejected by the validation step, with a notification, and changes nothing',
    async (_kind, input, got) => {
      const before = world();

      const execution = await run(input);

      // The normal rejection path, not a Step Functions runtime error (States.Runtime, ResultPathMatchFailure).
      expect(execution).toMatchObject({ status: 'FAILED', error: 'DeploymentRejected' });
      expect(execution.cause).toContain(`${FIX} ${got}.`);
      expect(service.executions[0].timeline.map((entry) => entry.state)).toEqual([
        'Validate deployment request',
        'Keep why the request was refused',
        'Report: deployment rejected',
        'Deployment rejected (nothing changed)',
      ]);
      expect(account.publishedMessages).toHaveLength(1);
      expect(account.publishedMessages[0].message).toContain(`${FIX} ${got}.`);
      // I8: nothing read or changed in the account; the only calls the steps make announce the outcome, on
      // the topic and the event bus (the test's own StartExecution and DescribeExecution reach the account too).
      expect(account.apiCalls.byOperation).toEqual({
        'sns:Publish': 1,
        'events:PutEvents': 1,
        'states:StartExecution': 1,
        'states:DescribeExecution': 1,
      });
      expect(world()).toEqual(before);
    },
  );

  it('an object still gets the field-by-field explanation', async () => {
    const execution = await run('{"ami": "ami-0a1b2c3d4e5f60002"}');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'DeploymentRejected' });
    expect(execution.cause).toMatch(/unrecognized key "ami"; allowed: amiId, trigger, overrides/);
    expect(execution.cause).not.toContain(FIX);
  });

  it('input that is not JSON is refused by StartExecution itself (InvalidExecutionInput), nothing started', async () => {
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: workflow.stateMachineArn, input: 'ami-123' })),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    expect(service.executions).toEqual([]);
  });
});

describe('scenario not-an-object', () => {
  it('is rejected with the fix, notified, no user request failed, the account unchanged (I8)', async () => {
    const report = await simulate({ scenario: 'not-an-object', seed: 1 });
    expect(passed(report)).toBe(true);
    expect(report.outcome).toBe('rejected');
    expect(report.message).toContain(`${FIX} an array`);
    // The recovery its failure starts (docs/recovery.md) reads the executions, finds the clean-up done and
    // says nothing; nothing else is read or changed.
    expect(report.apiCalls.byOperation).toEqual({ ...ANNOUNCED_ONCE, ...RECOVERY_FOUND_NOTHING });
    expect(report.invariantViolations).toEqual([]);
  }, 60_000);
});
