import { App } from 'aws-cdk-lib';
import { configFileFromContext } from '../../infra/app-context';
import { loadConfig } from '../../infra/config';
import { BlueGreenPipelineStack } from './pipeline-stack';

/**
 * The example pipeline as a CDK app of its own, next to the orchestrator's (same account and Region):
 *
 *   npx cdk deploy --app "node --import tsx recipes/codepipeline/app.ts" -c config=config/my-app.json \
 *     -c connectionArn=arn:aws:codeconnections:… -c repository=owner/name [-c branch=main]
 *
 * `config` is the orchestrator's configuration file: its stackName names the state machine's export.
 */
export function buildPipelineApp(app: App): BlueGreenPipelineStack {
  const context = app.node.getAllContext() as Record<string, unknown>;
  const config = loadConfig(configFileFromContext(context));
  const text = (key: string, example: string): string => {
    const value = context[key];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Error(`-c ${key}=… is required, e.g. -c ${key}=${example}`);
    }
    return value;
  };
  const orchestratorStackName = config.stackName ?? 'BlueGreenOrchestrator';
  return new BlueGreenPipelineStack(app, `${orchestratorStackName}Pipeline`, {
    orchestratorStackName,
    source: {
      connectionArn: text(
        'connectionArn',
        'arn:aws:codeconnections:us-east-1:123456789012:connection/0123abcd-…',
      ),
      repository: text('repository', 'my-org/blue-green-config'),
      branch: typeof context.branch === 'string' ? context.branch : undefined,
    },
    description: `Pipeline: blue/green deployments through ${orchestratorStackName}`,
  });
}

if (require.main === module) {
  const app = new App();
  buildPipelineApp(app);
  app.synth();
}
