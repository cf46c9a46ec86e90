import type { Principal } from '../../simulator/account/iam/principal';
import type { StepName } from '../../state-machine/step-registry';

/**
 * For hand-made workflows that test the engine itself with fake handlers: each step may do anything (the
 * real roles are read from the synthesized template, see simulator/engine/step-roles.ts).
 */
export function unrestrictedPrincipals(...steps: StepName[]): ReadonlyMap<StepName, Principal> {
  return new Map(
    steps.map((step) => [
      step,
      {
        name: step,
        sessionArn: `arn:aws:sts::123456789012:assumed-role/test/${step}`,
        policies: [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
      },
    ]),
  );
}

/** A hand-made rule's role (as CDK's SfnStateMachine target makes one): it may start this state machine. */
export function startingExecutionsOf(stateMachineArn: string, name: string): Principal {
  return {
    name,
    sessionArn: `arn:aws:sts::123456789012:assumed-role/${name}/rule`,
    policies: [
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: stateMachineArn }],
      },
    ],
  };
}
