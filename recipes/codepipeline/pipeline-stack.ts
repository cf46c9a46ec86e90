import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as stepfunctions from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { BlueGreenDeployAction } from './blue-green-deploy-action';

export interface BlueGreenPipelineStackProps extends StackProps {
  /**
   * The orchestrator stack (`stackName` of the configuration file): its `<stackName>-StateMachineArn` export
   * names the state machine. The pipeline stack goes to the same account and Region.
   */
  readonly orchestratorStackName: string;
  /** The repository holding the configuration, through an AWS CodeConnections (CodeStar) connection. */
  readonly source: {
    readonly connectionArn: string;
    /** `owner/name` */
    readonly repository: string;
    /** @default 'main' */
    readonly branch?: string;
  };
  /** @default 'codepipeline' */
  readonly executionNamePrefix?: string;
  /** This pipeline's rollback window, 0–1440 minutes (default: the configuration's). */
  readonly windowMinutes?: number;
}

/**
 * An example pipeline (type V2) whose Deploy stage is a blue/green deployment gated on its outcome. It runs
 * when started with the AMI as its pipeline-level variable:
 *
 *   aws codepipeline start-pipeline-execution --name <PipelineName output> \
 *     --variables name=AmiId,value=ami-0123456789abcdef0
 *
 * The Source stage (CodePipeline requires one) checks out the configuration at that moment; it does not
 * start the pipeline on a push. The Deploy stage fails unless the deployment succeeded.
 */
export class BlueGreenPipelineStack extends Stack {
  readonly pipeline: codepipeline.Pipeline;
  readonly deployAction: BlueGreenDeployAction;

  constructor(scope: Construct, id: string, props: BlueGreenPipelineStackProps) {
    super(scope, id, props);
    const [owner, repo, ...rest] = props.source.repository.split('/');
    if (!owner || !repo || rest.length > 0) {
      throw new Error(`source.repository must be owner/name, got "${props.source.repository}"`);
    }
    const amiId = new codepipeline.Variable({
      variableName: 'AmiId',
      description: 'The AMI to deploy, e.g. ami-0123456789abcdef0',
    });
    const stateMachine = stepfunctions.StateMachine.fromStateMachineArn(
      this,
      'BlueGreenStateMachine',
      Fn.importValue(`${props.orchestratorStackName}-StateMachineArn`),
    );
    const configuration = new codepipeline.Artifact('Configuration');
    this.deployAction = new BlueGreenDeployAction({
      stateMachine,
      amiId: amiId.reference(),
      windowMinutes: props.windowMinutes,
      executionNamePrefix: props.executionNamePrefix,
    });
    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      variables: [amiId],
      stages: [
        {
          stageName: 'Source',
          actions: [
            new actions.CodeStarConnectionsSourceAction({
              actionName: 'Configuration',
              connectionArn: props.source.connectionArn,
              owner,
              repo,
              branch: props.source.branch ?? 'main',
              output: configuration,
              triggerOnPush: false,
            }),
          ],
        },
        { stageName: 'Deploy', actions: [this.deployAction] },
      ],
    });
    new CfnOutput(this, 'PipelineName', {
      value: this.pipeline.pipelineName,
      description: `Start a deployment: aws codepipeline start-pipeline-execution --name <this> --variables name=${amiId.variableName},value=ami-…`,
    });
  }
}
