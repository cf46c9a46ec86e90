/**
 * How Step Functions names an execution: `arn:…:stateMachine:NAME` → `arn:…:execution:NAME:EXECUTION`
 * (the Service Authorization Reference's execution ARN). One pair of functions for the Lambdas, the CLI
 * and the construct; the simulated account builds its own, as AWS does.
 */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

/** The state machine an execution belongs to. */
export function stateMachineArnOfExecution(executionArn: string): string {
  return executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '');
}
