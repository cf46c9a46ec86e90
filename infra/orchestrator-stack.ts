import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { BlueGreenDeployment, type BlueGreenDeploymentProps } from './blue-green-deployment';

export interface OrchestratorStackProps extends StackProps {
  /** The deployment's configuration, as loaded from the configuration file (and the environment's outputs). */
  readonly deployment: BlueGreenDeploymentProps;
}

/** The deployment orchestrator: state machine, one Lambda per step, notifications and the AMI trigger. */
export class OrchestratorStack extends Stack {
  readonly deployment: BlueGreenDeployment;

  constructor(scope: Construct, id: string, props: OrchestratorStackProps) {
    super(scope, id, props);
    this.deployment = new BlueGreenDeployment(this, 'BlueGreenDeployment', props.deployment);
  }
}
