import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as stepfunctions from 'aws-cdk-lib/aws-stepfunctions';
import { EXECUTION_NAME } from '../../cli/operations/execution-option';
import { deploymentRequestSchema } from '../../lambdas/shared/settings';
import { buildPipelineApp } from '../../recipes/codepipeline/app';
import { BlueGreenDeployAction } from '../../recipes/codepipeline/blue-green-deploy-action';
import { synthExample, testApp } from '../support/synth';

/**
 * The CodePipeline recipe: a Deploy stage whose native Step Functions invoke action starts the
 * orchestrator's state machine with {"amiId": …} and fails the stage unless the execution succeeds
 * (https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-StepFunctions.html).
 */

const CONTEXT = {
  config: 'config/example.json',
  connectionArn:
    'arn:aws:codeconnections:us-east-1:123456789012:connection/0123abcd-0000-1111-2222-333344445555',
  repository: 'my-org/blue-green-config',
};

function examplePipeline(context: Record<string, string> = CONTEXT) {
  const app = testApp();
  for (const [key, value] of Object.entries(context)) app.node.setContext(key, value);
  const stack = buildPipelineApp(app);
  return { stack, template: Template.fromStack(stack) };
}

interface PipelineAction {
  Name: string;
  ActionTypeId: Record<string, string>;
  Configuration: Record<string, unknown>;
}

function actionsOf(template: Template): { stage: string; actions: PipelineAction[] }[] {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return (pipeline.Properties.Stages as { Name: string; Actions: PipelineAction[] }[]).map((stage) => ({
    stage: stage.Name,
    actions: stage.Actions,
  }));
}

/** An action execution id as CodePipeline makes them, for the execution's name. */
const ACTION_EXECUTION_ID = '1624a1d1-3699-43f0-8e1e-6bafd7fde791';

describe('CodePipeline recipe', () => {
  const { template } = examplePipeline();

  it('a V2 pipeline with an AmiId variable: Source (the configuration, not started by pushes), then Deploy', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      Variables: [Match.objectLike({ Name: 'AmiId' })],
    });
    const stages = actionsOf(template);
    expect(stages.map(({ stage }) => stage)).toEqual(['Source', 'Deploy']);
    expect(stages[0].actions[0]).toMatchObject({
      ActionTypeId: { Category: 'Source', Provider: 'CodeStarSourceConnection' },
      Configuration: {
        ConnectionArn: CONTEXT.connectionArn,
        FullRepositoryId: CONTEXT.repository,
        BranchName: 'main',
        DetectChanges: false,
      },
    });
  });

  it('Deploy: the native Step Functions invoke action on the orchestrator’s exported state machine, input {"amiId": #{variables.AmiId}}', () => {
    const [deploy] = actionsOf(template)[1].actions;
    expect(deploy).toMatchObject({
      Name: 'Deploy',
      ActionTypeId: { Category: 'Invoke', Owner: 'AWS', Provider: 'StepFunctions', Version: '1' },
      Configuration: {
        StateMachineArn: { 'Fn::ImportValue': 'WebappBlueGreen-StateMachineArn' },
        InputType: 'Literal',
        ExecutionNamePrefix: 'codepipeline',
      },
    });
    const input = JSON.parse(deploy.Configuration.Input as string) as Record<string, unknown>;
    expect(input).toEqual({ amiId: '#{variables.AmiId}' });
    // Once CodePipeline has put the variable's value in, the validate step accepts the input.
    const resolved = { ...input, amiId: 'ami-0123456789abcdef0' };
    expect(deploymentRequestSchema.safeParse(resolved).success).toBe(true);
    // The execution's name, <prefix>-<action execution id>, is one `npm run ops -- watch --execution` takes.
    expect(`${deploy.Configuration.ExecutionNamePrefix}-${ACTION_EXECUTION_ID}`).toMatch(EXECUTION_NAME);
  });

  it('the pipeline may start that state machine and read the executions it started, nothing more', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['states:StartExecution', 'states:DescribeStateMachine'],
            Effect: 'Allow',
            Resource: { 'Fn::ImportValue': 'WebappBlueGreen-StateMachineArn' },
          },
          Match.objectLike({
            Action: 'states:DescribeExecution',
            Resource: { 'Fn::Join': ['', Match.arrayWith([':codepipeline*'])] },
          }),
        ]),
      },
    });
    template.hasOutput('PipelineName', { Value: Match.anyValue() });
  });

  it('imports the export the orchestrator stack of the same configuration makes', () => {
    const { orchestrator } = synthExample();
    const outputs = Template.fromStack(orchestrator).findOutputs('StateMachineArn');
    expect(Object.values(outputs).map((output) => output.Export?.Name)).toEqual([
      'WebappBlueGreen-StateMachineArn',
    ]);
  });

  it('asks for the context it needs', () => {
    expect(() => examplePipeline({ config: 'config/example.json', repository: 'a/b' })).toThrow(
      /-c connectionArn=… is required/,
    );
    expect(() => examplePipeline({ ...CONTEXT, repository: 'no-owner' })).toThrow(
      /source.repository must be owner\/name/,
    );
  });
});

describe('BlueGreenDeployAction', () => {
  function deployConfiguration(props: Partial<ConstructorParameters<typeof BlueGreenDeployAction>[0]>) {
    // In the state machine's account and Region: an action elsewhere needs CDK's cross-Region support stacks.
    const stack = new Stack(testApp(), 'Pipeline', { env: { account: '123456789012', region: 'us-east-1' } });
    const stateMachine = stepfunctions.StateMachine.fromStateMachineArn(
      stack,
      'StateMachine',
      'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-blue-green-deployment',
    );
    const source = new codepipeline.Artifact('Source');
    new codepipeline.Pipeline(stack, 'Pipeline', {
      stages: [
        {
          stageName: 'Source',
          actions: [
            new actions.S3SourceAction({
              actionName: 'Source',
              bucket: new s3.Bucket(stack, 'Bucket', { versioned: true }),
              bucketKey: 'source.zip',
              output: source,
            }),
          ],
        },
        {
          stageName: 'Deploy',
          actions: [new BlueGreenDeployAction({ stateMachine, amiId: 'ami-0123456789abcdef0', ...props })],
        },
      ],
    });
    return actionsOf(Template.fromStack(stack))[1].actions[0].Configuration;
  }

  it('a literal AMI and a window: the input the validate step takes, as `npm run ops -- deploy --window-minutes` sends it', () => {
    const configuration = deployConfiguration({ windowMinutes: 30, executionNamePrefix: 'release' });
    const input = JSON.parse(configuration.Input as string) as unknown;
    expect(input).toEqual({ amiId: 'ami-0123456789abcdef0', overrides: { rollbackWindowMinutes: 30 } });
    expect(deploymentRequestSchema.safeParse(input).success).toBe(true);
    expect(configuration.ExecutionNamePrefix).toBe('release');
  });

  it('an upstream action’s variable is passed through for CodePipeline to resolve', () => {
    const configuration = deployConfiguration({ amiId: '#{BuildImage.AMI_ID}' });
    expect(JSON.parse(configuration.Input as string)).toEqual({ amiId: '#{BuildImage.AMI_ID}' });
  });

  it('refuses what the deployment or Step Functions would refuse, at synth time', () => {
    expect(() => deployConfiguration({ amiId: 'ami-123' })).toThrow(/amiId must be "ami-" followed by/);
    expect(() => deployConfiguration({ windowMinutes: 2000 })).toThrow(/windowMinutes must be .* 0 to 1440/);
    expect(() => deployConfiguration({ executionNamePrefix: 'x'.repeat(44) })).toThrow(/1–43 letters/);
    expect(() => deployConfiguration({ executionNamePrefix: 'release 1' })).toThrow(/executionNamePrefix/);
  });
});
