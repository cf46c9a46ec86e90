import { defaultEnvironment } from '../../../simulator/account/environment';
import type { EventRule } from '../../../simulator/account/event-rules';
import { StepFunctionsExecutions, recordedExecution } from '../../../simulator/account/step-functions';
import { cachedWorkflow } from '../../../simulator/engine/workflow-cache';
import type { SynthesizedRule } from '../../../simulator/engine/synthesized-rules';
import { createHarness, type Harness } from '../../support/account';
import { simulatedDeployment } from '../../support/simulated-deployment';

/**
 * The EventBridge rule the construct synthesizes, read from the template and run by the simulated default
 * bus: an AMI that becomes available starts the state machine, as the rule's role.
 */

const NEW_BUILD = 'ami-0a1b2c3d4e5f6000c';
let h: Harness;
let rules: readonly SynthesizedRule[];
let stateMachineArn: string;

beforeAll(() => {
  const environment = defaultEnvironment();
  const workflow = cachedWorkflow(
    simulatedDeployment(environment),
    environment.region,
    environment.accountId,
  );
  rules = workflow.rules ?? [];
  stateMachineArn = workflow.stateMachineArn;
}, 120_000);

beforeEach(() => {
  h = createHarness({
    customize: (environment) => {
      environment.amis.push({
        id: NEW_BUILD,
        name: 'webapp-1.2.0',
        state: 'available',
        tags: {},
        availableAfterSeconds: 10,
      });
    },
  });
});
afterEach(() => h.dispose());

function started(given: readonly EventRule[]): unknown[] {
  const executions = new StepFunctionsExecutions(stateMachineArn, recordedExecution);
  h.account.setEventRules(given, (request) => {
    expect(request.stateMachineArn).toBe(stateMachineArn);
    executions.start(JSON.parse(request.input));
  });
  h.run(10);
  return executions.executions.map((execution) => JSON.parse(execution.input));
}

describe('the synthesized DeployOnNewAmi rule', () => {
  it('is read from the template: pattern, state, the state machine as target, its input and role', () => {
    const [rule] = rules.filter((candidate) => candidate.logicalId.includes('DeployOnNewAmi'));
    expect(rule).toMatchObject({
      logicalId: expect.stringMatching(/^BlueGreenDeploymentDeployOnNewAmi/),
      state: 'ENABLED',
      eventPattern: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 AMI State Change'],
        detail: { State: ['available'] },
      },
    });
    expect(rule.eventBusName).toBeUndefined();
    expect(rule.targets).toEqual([
      expect.objectContaining({
        arn: stateMachineArn,
        inputTransformer: {
          inputPathsMap: { 'detail-ImageId': '$.detail.ImageId' },
          inputTemplate: '{"amiId":<detail-ImageId>,"trigger":"ami-event"}',
        },
      }),
    ]);
    expect(rule.targets[0].role?.policies).toEqual([
      expect.objectContaining({
        Statement: [{ Action: 'states:StartExecution', Effect: 'Allow', Resource: stateMachineArn }],
      }),
    ]);
  });

  it('starts the state machine with the new AMI when EC2 makes it available', () => {
    expect(started(rules)).toEqual([{ amiId: NEW_BUILD, trigger: 'ami-event' }]);
    expect(h.account.eventDeliveries).toEqual([expect.objectContaining({ delivered: true })]);
  });

  it('starts nothing when its role lacks states:StartExecution', () => {
    const withoutGrant = rules.map((rule) => ({
      ...rule,
      targets: rule.targets.map((target) => ({
        ...target,
        role: target.role && { ...target.role, policies: [] },
      })),
    }));
    expect(started(withoutGrant)).toEqual([]);
    expect(h.account.eventDeliveries).toEqual([
      expect.objectContaining({
        delivered: false,
        error: expect.objectContaining({ name: 'AccessDeniedException' }),
      }),
    ]);
  });
});
