import { App, CfnOutput } from 'aws-cdk-lib';
import { BlueGreenDeployment, type BlueGreenDeploymentProps } from './blue-green-deployment';
import { ConfigurationError, type ConfigFile } from './config';
import { ReferenceEnvironmentStack } from './environment/reference-environment-stack';
import { OrchestratorStack } from './orchestrator-stack';

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
    deployment: requireComplete(deployment),
    description: 'Zero-downtime blue/green deployments for EC2 Auto Scaling groups',
  });
  describeOutputs(orchestrator.deployment);
  return { app, orchestrator, environment };
}

/** What the orchestrator needs to know of the reference environment (the stack's values, or the simulator's). */
export interface ReferenceEnvironmentOutputs {
  readonly applicationName: string;
  readonly blueGroupName: string;
  readonly greenGroupName: string;
  readonly mainTargetGroupArn: string;
  readonly syntheticTargetGroupArn: string;
  readonly blueLaunchTemplateId: string;
  readonly greenLaunchTemplateId: string;
  /** The role in the launch templates' instance profile: launching from them passes it to EC2. */
  readonly instanceRoleArn?: string;
  readonly loadBalancerUrl: string;
  readonly alarmNames: readonly string[];
}

/**
 * The orchestrator's configuration for the reference environment, the configuration file's `deployment`
 * taking precedence. The simulator wires its account the same way, so scenarios run this exact wiring.
 */
export function referenceDeployment(
  environment: ReferenceEnvironmentOutputs,
  deployment: Partial<BlueGreenDeploymentProps>,
): Partial<BlueGreenDeploymentProps> {
  return {
    applicationName: environment.applicationName,
    groups: { blue: environment.blueGroupName, green: environment.greenGroupName },
    targetGroups: { main: environment.mainTargetGroupArn, synthetic: environment.syntheticTargetGroupArn },
    launchTemplateIds: [environment.blueLaunchTemplateId, environment.greenLaunchTemplateId],
    instanceRoleArns: environment.instanceRoleArn ? [environment.instanceRoleArn] : undefined,
    ...deployment,
    syntheticChecks: {
      ...(deployment.syntheticChecks ?? { checks: [{ path: '/' }] }),
      endpoint: deployment.syntheticChecks?.endpoint ?? environment.loadBalancerUrl,
    },
    monitoring: {
      ...deployment.monitoring,
      alarmNames: deployment.monitoring?.alarmNames ?? [...environment.alarmNames],
    },
  };
}

function requireComplete(deployment: Partial<BlueGreenDeploymentProps>): BlueGreenDeploymentProps {
  const required = [
    'applicationName',
    'groups',
    'targetGroups',
    'amiSelector',
    'syntheticChecks',
    'monitoring',
  ] as const;
  const missing = required.filter((key) => deployment[key] === undefined);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `deployment: missing ${missing.join(', ')} (required when "environment" is "existing"; see config/example.json)`,
    );
  }
  return deployment as BlueGreenDeploymentProps;
}

function describeOutputs(deployment: BlueGreenDeployment): void {
  new CfnOutput(deployment, 'StateMachineArn', {
    value: deployment.stateMachine.stateMachineArn,
    description:
      'Start a deployment: aws stepfunctions start-execution --state-machine-arn <this> --input \'{"amiId":"ami-…"}\'',
  });
  new CfnOutput(deployment, 'NotificationTopicArn', {
    value: deployment.notificationTopic.topicArn,
    description: 'Subscribe to hear about every deployment outcome',
  });
}
