import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { STEP_HANDLERS, type StepHandler } from '../state-machine/step-handlers';

export const LAMBDAS_ROOT = path.join(__dirname, '..', 'lambdas');

/** The file and export Lambda runs in every step's asset. */
export const ASSET_ENTRY = { file: 'index.js', handler: 'index.handler' } as const;

/**
 * How every step is bundled, for the shipped assets and for the simulation alike: one definition, so the
 * code the scenarios run is the code that ships.
 *
 * `keepNames`: the state machine's Retry and Catch match the error type Lambda reports, which is the thrown
 * error's `name`; the error classes take it from their class name, which minification renames otherwise
 * (esbuild documents `keepNames` for exactly this: https://esbuild.github.io/api/#keep-names).
 */
export const STEP_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
} as const satisfies esbuild.BuildOptions;

export interface BundleOptions {
  /**
   * Packages left to `require` at run time. The shipped assets bundle everything (the SDK versions the
   * lockfile pins, not the runtime's); the simulation leaves the AWS SDK out so that the simulated account
   * can answer the SDK clients the handlers create.
   */
  readonly external?: readonly string[];
}

/**
 * Bundles the steps into `outdir/<step>/index.js` in one esbuild run: the steps share most of their
 * modules, and parsing them once is what makes a synth take seconds rather than a minute.
 */
export function bundleSteps(
  outdir: string,
  options: BundleOptions = {},
  steps: readonly StepHandler[] = STEP_HANDLERS,
): void {
  esbuild.buildSync({
    ...STEP_BUNDLE_OPTIONS,
    entryPoints: steps.map((step) => ({
      in: path.join(LAMBDAS_ROOT, step, 'handler.ts'),
      out: path.join(step, path.basename(ASSET_ENTRY.file, '.js')),
    })),
    outdir,
    external: [...(options.external ?? [])],
  });
}

let shippedBundles: string | undefined;

/**
 * The shipped bundle of one step, copied into `outputDir` (CDK's local bundling hook). All steps are built
 * together on the first call and reused for the rest of the process.
 */
export function copyShippedBundle(step: StepHandler, outputDir: string): void {
  if (!shippedBundles) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'blue-green-bundles-'));
    process.once('exit', () => fs.rmSync(outdir, { recursive: true, force: true }));
    bundleSteps(outdir);
    shippedBundles = outdir;
  }
  fs.cpSync(path.join(shippedBundles, step), outputDir, { recursive: true });
}
