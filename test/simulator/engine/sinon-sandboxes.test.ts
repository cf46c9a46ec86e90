import sinon from 'sinon';
import { defaultEnvironment, SimulatedAccount } from '../../../simulator/account';
import { LocalStepFunctions } from '../../../simulator/engine/step-functions-service';
import type { SynthesizedWorkflow } from '../../../simulator/engine/synthesize';
import type { StepName } from '../../../state-machine/step-registry';
import type { StepHandlerFunction } from '../../../simulator/engine/handlers';

/** sinon's default sandbox keeps every fake made through it until `sinon.restore()`: "for testing only". */
const defaultSandboxFakes = () => (sinon as unknown as { getFakes(): unknown[] }).getFakes().length;

describe('the SDK stubs of a simulation', () => {
  it('leave nothing in sinon’s default sandbox: each stub kept the account that made it, and a sweep of 1,000 simulations ran out of memory', () => {
    const before = defaultSandboxFakes();
    for (let i = 0; i < 3; i++) {
      const account = new SimulatedAccount(defaultEnvironment());
      account.install();
      account.uninstall();
      const service = new LocalStepFunctions(
        {
          stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:test',
          notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:topic',
          principals: new Map(),
          stepByState: new Map(),
          asl: { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } },
        } as SynthesizedWorkflow,
        {} as Record<StepName, StepHandlerFunction>,
        { elapsedSeconds: () => 0 },
      );
      service.install();
      service.uninstall();
    }
    expect(defaultSandboxFakes()).toBe(before);
  });
});
