import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './build-cache';
import { copyShippedBundles } from './bundling';
import { PREBUILT_MANIFEST, type PrebuiltAssetsManifest } from './prebuilt-assets';

/**
 * `npm run build:package`, run by `npm pack` and `npm publish` (`prepack`): the package other CDK apps
 * install, in `dist/`.
 * - `dist/infra/index.js` and its imports compiled, with type declarations (tsconfig.build.json);
 * - `dist/assets/<step>/index.js`: every step's asset, the very bundle a synth in this repository stages
 *   (the same build, from the same cache), and `manifest.json` with their asset hashes. The installed
 *   construct uses them as they are: an app that installs the package bundles nothing, needs neither
 *   esbuild nor the AWS SDK, and no path of this repository (infra/prebuilt-assets.ts).
 */
async function buildPackage(): Promise<void> {
  const dist = path.join(ROOT, 'dist');
  fs.rmSync(dist, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${String(tsc.status)})`);
  const assets = path.join(dist, 'assets');
  const manifest: PrebuiltAssetsManifest = { assetHashes: await copyShippedBundles(assets) };
  fs.writeFileSync(path.join(assets, PREBUILT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

buildPackage().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
