import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Hook } from '../lambdas/shared/settings/hooks';
import { hookFunctionArns } from '../state-machine/phases/hooks';

/**
 * The state machine invokes the lifecycle hooks' functions itself (docs/hooks.md#permissions): its role may
 * invoke exactly the configured ARNs, as written (a qualified ARN grants that version or alias only), and
 * nothing else of the teams' functions. No hook, no statement.
 */
export function grantHookInvocations(stateMachine: sfn.StateMachine, hooks: readonly Hook[]): void {
  const functionArns = hookFunctionArns(hooks);
  if (functionArns.length === 0) return;
  stateMachine.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: functionArns }),
  );
}
