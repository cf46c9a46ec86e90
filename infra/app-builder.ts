import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import type { BlueGreenDeployment } from './blue-green-deployment';
import { ConfigurationError, missingDescription, missingForExisting, type ConfigFile } from './config';
import { ReferenceEnvironmentStack } from './environment/reference-environment-stack';
import { OrchestratorStack } from './orchestrator-stack';
import type { ConfiguredProps } from './props';
import { referenceDeployment } from './reference-deployment';

export interface BuiltApp {
  readonly app: App;
  readonly orchestrator: OrchestratorStack;
  readonly environment?: ReferenceEnvironmentStack;
}

/**
 * Builds the CDK app from a configuration: the orchestrator alone for an existing environment, or the
 * reference environment plus the orchestrator wired to its outputs (cross-stack references, no copied ARNs).
 * The CLI entry point (app.ts) and the local engine both build the app here, so they run the same definition.
 */
export function buildApp(config: ConfigFile, app: App = new App()): BuiltApp {
  let environment: ReferenceEnvironmentStack | undefined;
  let deployment = config.deployment;
  if (config.environment === 'reference') {
    environment = new ReferenceEnvironmentStack(app, 'BlueGreenReferenceEnvironment', {});
    deployment = referenceDeployment(environment, deployment);
  }
  const orchestrator = new OrchestratorStack(app, config.stackName ?? 'BlueGreenOrchestrator', {
    deployment: requireComplete(deployment, config.environment),
    description: 'Zero-downtime blue/green deployments for EC2 Auto Scaling groups',
  });
  describeOutputs(orchestrator.deployment);
  return { app, orchestrator, environment };
}

function requireComplete(
  deployment: Partial<ConfiguredProps>,
  environment: ConfigFile['environment'],
): ConfiguredProps {
  const missing = missingForExisting(deployment);
  if (missing.length > 0) {
    // The props' own field: `deployment` in the configuration file.
    throw new ConfigurationError([{ field: '', problem: missingDescription(missing, environment) }], {
      heading: 'Invalid configuration: deployment',
    });
  }
  return deployment as ConfiguredProps;
}

function describeOutputs(deployment: BlueGreenDeployment): void {
  // A fixed key and export name, not the construct path's hashed logical id: `npm run ops` reads the
  // state machine's ARN from them (cli/operations/stack-outputs.ts).
  new CfnOutput(deployment, 'StateMachineArn', {
    key: 'StateMachineArn',
    exportName: `${Stack.of(deployment).stackName}-StateMachineArn`,
    value: deployment.stateMachine.stateMachineArn,
    description:
      'Start a deployment: aws stepfunctions start-execution --state-machine-arn <this> --input \'{"amiId":"ami-…"}\'',
  });
  new CfnOutput(deployment, 'NotificationTopicArn', {
    value: deployment.notificationTopic.topicArn,
    description: 'Subscribe to hear about every deployment outcome',
  });
}
