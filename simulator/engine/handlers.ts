import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { version as esbuildVersion } from 'esbuild';
import { ASSET_ENTRY, bundleSteps, LAMBDAS_ROOT, STEP_BUNDLE_OPTIONS } from '../../infra/bundling';
import { STEP_HANDLERS, type StepHandler } from '../../state-machine/step-handlers';

export type StepHandlerFunction = (event: unknown) => Promise<unknown>;

const ROOT = path.join(__dirname, '..', '..');
/**
 * Inside the project, so that a bundle's `require('@aws-sdk/…')` resolves to the project's SDK: the very
 * module the simulated account intercepts.
 */
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'asg-blue-green', 'bundles');

/**
 * Only the AWS SDK is left out of the simulation's bundles (everything else is bundled, minified and named
 * exactly as it ships): the simulated account answers the SDK's clients, which it could not reach inside a
 * bundle. https://esbuild.github.io/api/#external
 */
export const SIMULATION_EXTERNALS = ['@aws-sdk/*'] as const;

export interface LoadOptions {
  /** Powertools log level of the handlers (read once, when a bundle is first loaded). [SILENT] */
  readonly logLevel?: string;
}

/**
 * The step handlers as they ship: bundled with the shipped esbuild options (`infra/bundling.ts`), loaded
 * from the bundle as Lambda loads an asset. Bundles are cached by a hash of what they are built from.
 */
export function loadHandlers(options: LoadOptions = {}): Record<StepHandler, StepHandlerFunction> {
  process.env.POWERTOOLS_LOG_LEVEL = options.logLevel ?? 'SILENT';
  const dir = bundledHandlersDir();
  const handlers = {} as Record<StepHandler, StepHandlerFunction>;
  for (const step of STEP_HANDLERS) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle is CommonJS, loaded by path
    const asset = require(path.join(dir, step, ASSET_ENTRY.file)) as { handler?: StepHandlerFunction };
    if (typeof asset.handler !== 'function') throw new Error(`the bundle of ${step} exports no handler`);
    handlers[step] = asset.handler;
  }
  return handlers;
}

/** The folder of the simulation's bundles, built unless the cache already holds them. */
export function bundledHandlersDir(): string {
  const dir = path.join(CACHE, sourcesHash());
  if (fs.existsSync(path.join(dir, 'complete'))) return dir;
  // Parallel test workers may build at once: each builds aside and the first rename wins.
  const building = `${dir}.${process.pid}.building`;
  fs.rmSync(building, { recursive: true, force: true });
  bundleSteps(building, { external: SIMULATION_EXTERNALS });
  fs.writeFileSync(path.join(building, 'complete'), '');
  try {
    fs.renameSync(building, dir);
  } catch {
    fs.rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

function sourcesHash(): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ STEP_BUNDLE_OPTIONS, SIMULATION_EXTERNALS, esbuildVersion, STEP_HANDLERS }));
  hash.update(fs.readFileSync(path.join(ROOT, 'package-lock.json')));
  for (const file of filesUnder(LAMBDAS_ROOT)) {
    hash.update(path.relative(ROOT, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
    );
}
