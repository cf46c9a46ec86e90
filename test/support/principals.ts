import type { Principal } from '../../simulator/account/iam/principal';
import type { StepHandler } from '../../state-machine/step-handlers';

/**
 * For hand-made workflows that test the engine itself with fake handlers: each step may do anything (the
 * real roles are read from the synthesized template, see simulator/engine/step-roles.ts).
 */
export function unrestrictedPrincipals(...steps: StepHandler[]): ReadonlyMap<StepHandler, Principal> {
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
