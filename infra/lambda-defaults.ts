import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StepHandler } from '../state-machine/step-handlers';

const LAMBDAS_ROOT = path.join(__dirname, '..', 'lambdas');

export interface StepFunctionOptions {
  readonly timeout?: Duration;
  readonly logRetention: logs.RetentionDays;
}

/**
 * One step's function: bundled locally with esbuild (no Docker), the AWS SDK bundled in rather than taken
 * from the runtime so the code runs against the versions the lockfile pins and the tests exercised.
 */
export function stepFunction(
  scope: Construct,
  step: StepHandler,
  options: StepFunctionOptions,
): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${step}-logs`, {
    retention: options.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return new NodejsFunction(scope, step, {
    entry: path.join(LAMBDAS_ROOT, step, 'handler.ts'),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: options.timeout ?? Duration.minutes(1),
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: {
      POWERTOOLS_SERVICE_NAME: 'asg-blue-green',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    },
    bundling: {
      minify: true,
      sourceMap: true,
      target: 'node22',
      format: OutputFormat.CJS,
      externalModules: [],
    },
  });
}
