import * as path from 'node:path';
import { ASSET_ENTRY, cachedBundles, cachedBundlesAsync } from '../../infra/bundling';
import { STEP_NAMES, type StepName } from '../../state-machine/step-registry';

export type StepHandlerFunction = (event: unknown) => Promise<unknown>;

/**
 * Left out of the simulation's bundles, everything else bundled, minified and named exactly as it ships:
 * - the AWS SDK, which the simulated account answers and could not reach inside a bundle;
 * - zod and Powertools, the same pinned versions as ship, loaded once from node_modules instead of once per
 *   step (a copy per step was most of the time it takes to load the steps, in every simulation and test suite).
 *   Their behaviour does not depend on bundling; the shipped assets, with them inside, are run as Lambda
 *   runs them in test/infra/cdk-synth.test.ts.
 * https://esbuild.github.io/api/#external
 */
export const SIMULATION_EXTERNALS = ['@aws-sdk/*', 'zod', '@aws-lambda-powertools/*'] as const;
const SIMULATION_BUNDLES = 'bundles';

export interface LoadOptions {
  /** Powertools log level of the handlers (read once, when a bundle is first loaded). [SILENT] */
  readonly logLevel?: string;
}

/**
 * The step handlers as they ship: bundled with the shipped esbuild options (`infra/bundling.ts`), loaded
 * from the bundle as Lambda loads an asset. Bundles are cached by a hash of what they are built from.
 */
export function loadHandlers(options: LoadOptions = {}): Record<StepName, StepHandlerFunction> {
  process.env.POWERTOOLS_LOG_LEVEL = options.logLevel ?? 'SILENT';
  const dir = bundledHandlersDir();
  const handlers = {} as Record<StepName, StepHandlerFunction>;
  // Node reads a module's source map as it loads it when source maps are on (tsx turns them on): one map a step,
  // 30 MB of JSON, about a second of every `npm run simulate`. The simulation reports a step's errors by
  // name and message, which the maps do not change; they serve stack traces, in Lambda.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    for (const step of STEP_NAMES) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle is CommonJS, loaded by path
      const asset = require(path.join(dir, step, ASSET_ENTRY.file)) as { handler?: StepHandlerFunction };
      if (typeof asset.handler !== 'function') throw new Error(`the bundle of ${step} exports no handler`);
      handlers[step] = asset.handler;
    }
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
  }
  return handlers;
}

/**
 * The folder of the simulation's bundles, built unless the cache already holds them: inside the project
 * (node_modules/.cache/asg-blue-green/bundles/), so that a bundle's `require('@aws-sdk/…')` resolves to the
 * project's SDK, the very module the simulated account intercepts.
 */
export function bundledHandlersDir(): string {
  return cachedBundles(SIMULATION_BUNDLES, { external: SIMULATION_EXTERNALS });
}

/**
 * Builds the simulation's bundles unless the cache holds them, in esbuild's own process: a cold start
 * synthesizes the CDK app meanwhile. `loadHandlers` then finds them built.
 */
export async function prepareHandlers(): Promise<void> {
  await cachedBundlesAsync(SIMULATION_BUNDLES, { external: SIMULATION_EXTERNALS });
}
