// Apart from app-builder.ts because it loads no aws-cdk-lib: the simulator wires its account with it at
// every start, and a start whose synthesized workflow is cached should not pay for loading the CDK.
import type { ConfiguredProps } from './props';

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
  deployment: Partial<ConfiguredProps>,
): Partial<ConfiguredProps> {
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
