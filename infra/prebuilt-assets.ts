import * as fs from 'node:fs';
import * as path from 'node:path';
import { STEP_NAMES, type StepName } from '../state-machine/step-registry';

/** The file and export Lambda runs in every step's asset. */
export const ASSET_ENTRY = { file: 'index.js', handler: 'index.handler' } as const;

/**
 * Where the installed package keeps its steps' assets, built when it is packed (infra/build-package.ts):
 * `dist/assets/<step>/index.js` beside the compiled construct (`dist/infra/`), with `manifest.json`. From
 * the sources (`infra/`) this is `<repository>/assets`, which does not exist: a synth in the repository
 * bundles the steps from `lambdas/` instead (infra/bundling.ts), and a stale `dist/` is never used.
 * Neither loads esbuild nor the AWS SDK in an app that installed the package: they are development
 * dependencies, bundled into the assets.
 */
export const PREBUILT_ASSETS = path.join(__dirname, '..', 'assets');
export const PREBUILT_MANIFEST = 'manifest.json';

export interface PrebuiltAssetsManifest {
  /**
   * Each step's asset hash, the one a synth from the sources of the same commit gives
   * (`shippedAssetHash`): an installed package and the repository stage the same assets under one name.
   */
  readonly assetHashes: Readonly<Record<StepName, string>>;
}

let manifest: PrebuiltAssetsManifest | null | undefined;

/** The pre-built assets' manifest, or undefined when running from the sources. */
export function prebuiltAssets(): PrebuiltAssetsManifest | undefined {
  if (manifest === undefined) {
    const file = path.join(PREBUILT_ASSETS, PREBUILT_MANIFEST);
    manifest = fs.existsSync(file) ? readManifest(file) : null;
  }
  return manifest ?? undefined;
}

function readManifest(file: string): PrebuiltAssetsManifest {
  const read = JSON.parse(fs.readFileSync(file, 'utf8')) as PrebuiltAssetsManifest;
  const missing = STEP_NAMES.filter(
    (step) =>
      typeof read.assetHashes?.[step] !== 'string' ||
      !fs.existsSync(path.join(PREBUILT_ASSETS, step, ASSET_ENTRY.file)),
  );
  if (missing.length > 0) {
    throw new Error(
      `${PREBUILT_ASSETS} lacks the assets of ${missing.join(', ')}: the package was not built whole (\`npm pack\` builds it)`,
    );
  }
  return read;
}
