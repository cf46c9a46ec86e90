import { VirtualClock } from '../../../simulator/engine/clock';
import type { StepHandlerFunction } from '../../../simulator/engine/handlers';
import { LocalStepFunctions } from '../../../simulator/engine/step-functions-service';
import type { SynthesizedWorkflow } from '../../../simulator/engine/synthesize';
import type { StepName } from '../../../state-machine/step-registry';
import { unrestrictedPrincipals } from '../../support/principals';

/** One Task, no Retry: a failure the state machine sees ends the execution. */
const workflow: SynthesizedWorkflow = {
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:test',
  notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:topic',
  principals: unrestrictedPrincipals('validate-request'),
  stepByState: new Map<string, StepName>([['Validate', 'validate-request']]),
  asl: {
    StartAt: 'Validate',
    States: {
      Validate: {
        Type: 'Task',
        Resource: 'arn:aws:lambda:us-east-1:123456789012:function:validate-request',
        End: true,
      },
    },
  },
};

describe('duplicate Lambda invocations (at least once)', () => {
  let clock: VirtualClock;
  afterEach(() => clock.uninstall());

  it('runs the step twice; only one answer reaches the state machine, so a failed duplicate is not the task’s failure', async () => {
    clock = new VirtualClock(Date.UTC(2026, 0, 1));
    let calls = 0;
    const flaky: StepHandlerFunction = async (event) => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'TransientAwsError' });
      return event;
    };
    const service = new LocalStepFunctions(
      workflow,
      { 'validate-request': flaky } as Record<StepName, StepHandlerFunction>,
      { duplicateInvocations: true, elapsedSeconds: () => clock.elapsedSeconds() },
    );

    const execution = service.start({ amiId: 'ami-1' });
    await clock.settle();
    await execution.finished;

    expect(calls).toBe(2);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ amiId: 'ami-1' });
  });
});
