// Over 250 lines: the one esbuild definition of a step bundle (options, the SDK schema-key plugin, the cache keyed by what a bundle is built from, the synchronous entry CDK calls), which the shipped assets and the simulation share.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { STEP_NAMES as STEP_HANDLERS, type StepName as StepHandler } from '../state-machine/step-registry';
import { CACHE_ROOT, filesUnder, hashFiles, pruneEntries, ROOT, touch } from './build-cache';
import { ASSET_ENTRY } from './prebuilt-assets';

export { ASSET_ENTRY };

export const LAMBDAS_ROOT = path.join(__dirname, '..', 'lambdas');

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
  // The ES module builds first: the AWS SDK v3 publishes both, and only the ES modules let esbuild drop the
  // commands and serializers a step never uses (https://esbuild.github.io/api/#main-fields).
  mainFields: ['module', 'main'],
  minify: true,
  keepNames: true,
  // The map is written beside the bundle (`index.js.map`) but not linked from it, and not shipped: with a
  // link and --enable-source-maps, Node reads and parses the map as it loads the bundle, about 25 ms (12 %)
  // of every cold start, for stack traces that `keepNames` already makes readable (function and class names,
  // the position in the bundle). esbuild's output is deterministic: the map for a deployed bundle is the one a
  // build of the same commit writes (`npm run bench` prints its size).
  sourcemap: 'external',
  // The embedded sources were half of the map's bytes.
  sourcesContent: false,
  // The SDK's default credential chain, cut to the link Lambda uses (lambdas/shared/aws/lambda-credentials.ts),
  // and its event-stream support, which no operation the steps send uses (lambdas/shared/aws/no-event-streams.ts).
  alias: {
    '@smithy/core/event-streams': path.join(LAMBDAS_ROOT, 'shared', 'aws', 'no-event-streams.ts'),
    '@aws-sdk/credential-provider-node': path.join(
      __dirname,
      '..',
      'lambdas',
      'shared',
      'aws',
      'lambda-credentials.ts',
    ),
  },
  logLevel: 'warning',
} as const satisfies esbuild.BuildOptions;

/**
 * The AWS SDK v3 clients describe every shape of their service in one module (`dist-es/schemas/schemas_0.js`),
 * so that a step keeps only the shapes of the commands it sends. Their object literals use computed keys
 * (`{ [_xN]: _Fil }`, `_xN` a module-level `const _xN = "xmlName"`), and esbuild keeps any statement with a
 * computed key it cannot see is a plain string: it inlines such constants, but not in a module with `import`
 * statements (an import cycle could read them before they are set), and these modules import. So every
 * shape stayed: 540 KB of EC2's in each step that sends one EC2 command. This plugin writes those keys as the
 * strings the constants hold, a rewrite that changes no value, and esbuild drops the unused shapes (EC2's
 * 540 KB become 9 KB). The SDK code is still the lockfile's; only the bundler sees through it.
 */
const SDK_SCHEMAS =
  /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;

export function inlineSchemaKeys(source: string): string {
  const constants = new Map(
    [...source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)].map(([, name, value]) => [name, value]),
  );
  return source.replace(/\[(_\w+)\]:/g, (key, name: string) => {
    const value = constants.get(name);
    return value === undefined ? key : `${value}:`;
  });
}

const sdkSchemaKeys: esbuild.Plugin = {
  name: 'sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMAS }, (args) => ({
      contents: inlineSchemaKeys(fs.readFileSync(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

/**
 * An SDK client imports its whole package.json (2 KB: scripts, dependencies, keywords…) for one field, its
 * `version`, which goes into the user agent (`packageInfo.version` in its dist-es/runtimeConfig.js, its only
 * use). esbuild cannot drop the fields of a default-imported JSON, so each client's package.json is loaded as
 * the one field the client reads: some 2 KB less per client in every step.
 */
const SDK_CLIENT_PACKAGE = /[\\/]node_modules[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/;

export function clientVersionOnly(packageJson: string): string {
  return JSON.stringify({ version: (JSON.parse(packageJson) as { version: string }).version });
}

const sdkClientVersion: esbuild.Plugin = {
  name: 'sdk-client-version',
  setup(build) {
    build.onLoad({ filter: SDK_CLIENT_PACKAGE }, (args) => ({
      contents: clientVersionOnly(fs.readFileSync(args.path, 'utf8')),
      loader: 'json',
    }));
  },
};

/** esbuild plugins run only with its asynchronous API: part of every step build, and of its cache key. */
const STEP_BUNDLE_PLUGINS = [sdkSchemaKeys, sdkClientVersion];
const PLUGINS_SOURCE = [
  SDK_SCHEMAS.source,
  inlineSchemaKeys.toString(),
  SDK_CLIENT_PACKAGE.source,
  clientVersionOnly.toString(),
].join('\n');

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
export async function bundleStepsAsync(
  outdir: string,
  options: BundleOptions = {},
  steps: readonly StepHandler[] = STEP_HANDLERS,
): Promise<void> {
  await esbuild.build(buildOptions(outdir, options, steps));
}

/**
 * `bundleStepsAsync` for synchronous callers (CDK's local bundling hook): esbuild's synchronous API takes no
 * plugins, so the build runs in a child Node process (`infra/bundle-steps.ts`) while this one waits.
 */
export function bundleSteps(
  outdir: string,
  options: BundleOptions = {},
  steps: readonly StepHandler[] = STEP_HANDLERS,
): void {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'bundle-steps.ts'), JSON.stringify({ outdir, options, steps })],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] },
  );
  if (child.status !== 0) {
    throw new Error(
      `bundling the steps failed (exit ${String(child.status ?? child.signal)}): ${child.error?.message ?? child.stderr}`,
    );
  }
  if (child.stderr) process.stderr.write(child.stderr);
}

function buildOptions(
  outdir: string,
  options: BundleOptions,
  steps: readonly StepHandler[] = STEP_HANDLERS,
): esbuild.BuildOptions {
  return {
    ...STEP_BUNDLE_OPTIONS,
    entryPoints: steps.map((step) => ({
      in: path.join(LAMBDAS_ROOT, step, 'handler.ts'),
      out: path.join(step, path.basename(ASSET_ENTRY.file, '.js')),
    })),
    outdir,
    external: [...(options.external ?? [])],
    plugins: STEP_BUNDLE_PLUGINS,
  };
}

/** Bundle sets kept in each cache folder (one per version of the sources), least recently used removed first. */
const KEEP_BUNDLE_SETS = 4;

/**
 * The folder of every step's bundle built with `options` (`<folder>/<step>/index.js`), built unless the cache
 * folder `cacheName` already holds it. A set is keyed by a hash of all it is built from: the options,
 * esbuild's version, the lockfile (the bundled packages), tsconfig.json, every file under lambdas/ and the
 * cache's place (the source maps' paths are relative).
 * esbuild's output is deterministic: a cached set is byte for byte the one a new build would write.
 */
export function cachedBundles(cacheName: string, options: BundleOptions = {}): string {
  const entry = bundleCacheEntry(cacheName, options);
  if (entry.complete) return entry.dir;
  try {
    bundleSteps(entry.building, options);
  } catch (error) {
    entry.abandon();
    throw error;
  }
  return entry.finish();
}

/**
 * `cachedBundles`, the build (if any) running in esbuild's own process: the caller's thread stays free, to
 * synthesize the CDK app meanwhile.
 */
export async function cachedBundlesAsync(cacheName: string, options: BundleOptions = {}): Promise<string> {
  const entry = bundleCacheEntry(cacheName, options);
  if (entry.complete) return entry.dir;
  try {
    await bundleStepsAsync(entry.building, options);
  } catch (error) {
    entry.abandon();
    throw error;
  }
  return entry.finish();
}

let builds = 0;

function bundleCacheEntry(cacheName: string, options: BundleOptions) {
  const cache = path.join(CACHE_ROOT, cacheName);
  const dir = path.join(cache, bundlesHash(options).slice(0, 16));
  if (fs.existsSync(path.join(dir, 'complete'))) {
    touch(dir);
    return { complete: true, dir, building: dir, finish: () => dir, abandon: () => undefined };
  }
  // Parallel processes (test workers, two synths) may build at once: each builds aside and the first
  // rename wins.
  const building = `${dir}.${process.pid}.${++builds}.building`;
  const abandon = () => fs.rmSync(building, { recursive: true, force: true });
  abandon();
  const finish = () => {
    fs.writeFileSync(path.join(building, 'complete'), '');
    try {
      fs.renameSync(building, dir);
    } catch {
      abandon();
    }
    pruneEntries(cache, KEEP_BUNDLE_SETS);
    return dir;
  };
  return { complete: false, dir, building, finish, abandon };
}

function bundlesHash(options: BundleOptions): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      STEP_BUNDLE_OPTIONS,
      plugins: PLUGINS_SOURCE,
      options,
      esbuild: esbuild.version,
      steps: STEP_HANDLERS,
      // The source maps name the sources relative to where the bundles are built.
      at: path.relative(ROOT, CACHE_ROOT),
    }),
  );
  const inputs = [path.join(ROOT, 'package-lock.json'), path.join(ROOT, 'tsconfig.json')];
  return hashFiles(hash, [...inputs, ...filesUnder(LAMBDAS_ROOT)]).digest('hex');
}

const SHIPPED_BUNDLES = 'shipped-bundles';
let shippedBundles: string | undefined;
let shippedInputsHash: string | undefined;

/**
 * The hash naming a step's shipped asset: the hash of all its bundle is built from (the cache key above) and
 * the step. esbuild's output is a function of those inputs, so it changes exactly when the asset can; CDK
 * need not hash the bundles it staged once more.
 */
export function shippedAssetHash(step: StepHandler): string {
  shippedInputsHash ??= bundlesHash({});
  return createHash('sha256').update(`${shippedInputsHash}/${step}`).digest('hex');
}

/**
 * The shipped bundle of one step, copied into `outputDir` (CDK's local bundling hook). All steps are built
 * together on the first call, or taken from the cache when the sources have not changed since
 * (`node_modules/.cache/asg-blue-green/shipped-bundles/`).
 */
export function copyShippedBundle(step: StepHandler, outputDir: string): void {
  shippedBundles ??= cachedBundles(SHIPPED_BUNDLES);
  // The bundle alone: its source map stays in the cache (see `sourcemap` above).
  fs.cpSync(path.join(shippedBundles, step), outputDir, {
    recursive: true,
    filter: (source) => !source.endsWith('.map'),
  });
}

/**
 * Every step's shipped bundle into `outdir/<step>/`, as `copyShippedBundle` stages it for a synth: the
 * assets the package ships (infra/build-package.ts). Returns each step's asset hash.
 */
export async function copyShippedBundles(outdir: string): Promise<Record<StepHandler, string>> {
  shippedBundles ??= await cachedBundlesAsync(SHIPPED_BUNDLES);
  const hashes = {} as Record<StepHandler, string>;
  for (const step of STEP_HANDLERS) {
    copyShippedBundle(step, path.join(outdir, step));
    hashes[step] = shippedAssetHash(step);
  }
  return hashes;
}
