import * as path from 'node:path';
import { AssetHashType, Duration, RemovalPolicy, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { SERVICE_NAME } from '../lambdas/shared/contract/errors';
import type { StepName } from '../state-machine/step-registry';
import { ASSET_ENTRY, PREBUILT_ASSETS, prebuiltAssets } from './prebuilt-assets';

export interface StepFunctionOptions {
  /** The function's own limit (state-machine/step-timeouts.ts). */
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Local bundling with esbuild's API (no Docker, no esbuild process per function). `step` is part of the
 * object so that CDK's asset cache, keyed by the bundling options, tells the steps' assets apart.
 */
class StepBundler implements ILocalBundling {
  constructor(readonly step: StepName) {}

  tryBundle(outputDir: string): boolean {
    sourceBundling().copyShippedBundle(this.step, outputDir);
    return true;
  }
}

/**
 * infra/bundling.ts, loaded only when bundling the sources: it needs esbuild, a development dependency that
 * an app which installed the package goes without.
 */
function sourceBundling(): typeof import('./bundling') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./bundling') as typeof import('./bundling');
}

/**
 * A step's code: in an app that installed the package, the asset built when it was packed
 * (infra/prebuilt-assets.ts); in this repository, the bundle of the sources, built at synth.
 */
function stepCode(step: StepName): lambda.Code {
  const prebuilt = prebuiltAssets();
  if (prebuilt !== undefined) {
    return lambda.Code.fromAsset(path.join(PREBUILT_ASSETS, step), {
      assetHashType: AssetHashType.CUSTOM,
      assetHash: prebuilt.assetHashes[step],
    });
  }
  const bundling = sourceBundling();
  return lambda.Code.fromAsset(bundling.LAMBDAS_ROOT, {
    // Named by the hash of what the bundle is built from: lambdas/, the lockfile and the esbuild options.
    assetHashType: AssetHashType.CUSTOM,
    assetHash: bundling.shippedAssetHash(step),
    bundling: { image: lambda.Runtime.NODEJS_22_X.bundlingImage, local: new StepBundler(step) },
  });
}

/**
 * One step's function, its code bundled by `infra/bundling.ts` (the AWS SDK bundled in rather than taken
 * from the runtime, so the code runs against the versions the lockfile pins and the tests exercised).
 */
export function stepFunction(
  scope: Construct,
  step: StepName,
  options: StepFunctionOptions,
): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${step}-logs`, {
    retention: options.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return new lambda.Function(scope, step, {
    code: stepCode(step),
    handler: ASSET_ENTRY.handler,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: options.timeout,
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      // No NODE_OPTIONS=--enable-source-maps: the assets ship without their maps (infra/bundling.ts).
    },
  });
}
