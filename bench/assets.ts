import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ASSET_ENTRY, bundleSteps } from '../infra/bundling';
import { STEP_NAMES, type StepName } from '../state-machine/step-registry';

/**
 * Fresh processes per asset. On a shared machine one load in a few is slowed by others: the median resists
 * that, and the fastest shows what the asset itself costs.
 */
const LOAD_RUNS = 7;

/**
 * What the deployed functions run with (the Node version aside: Lambda runs 22, this machine may not): no
 * NODE_OPTIONS since the assets ship without source maps (infra/bundling.ts). Set as Lambda sets it, so that
 * a value inherited from the shell does not skew the loads.
 */
const LAMBDA_NODE_OPTIONS = '';

/** Runs in the child: loads the asset given as its argument and prints how long `require` took, in ms. */
const LOAD_SCRIPT =
  'const start = performance.now(); require(process.argv[1]); process.stdout.write(String(performance.now() - start));';

export interface AssetFigures {
  step: StepName;
  bytes: number;
  mapBytes: number;
  /** Every run, in the order measured. */
  loadMs: number[];
  loadMsMedian: number;
  loadMsMin: number;
}

export interface AssetReport {
  assets: AssetFigures[];
  buildMs: number;
  measureMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** One cold load, as Lambda does it: a new Node process, the functions' NODE_OPTIONS, the logger silenced. */
function loadOnce(asset: string): number {
  const child = spawnSync(process.execPath, ['-e', LOAD_SCRIPT, asset], {
    // As in Lambda: the execution environment and the Region named.
    env: {
      ...process.env,
      NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_REGION: 'eu-west-1',
    },
    encoding: 'utf8',
  });
  const ms = Number(child.stdout);
  if (child.status !== 0 || child.stdout === '' || !Number.isFinite(ms)) {
    throw new Error(
      `loading ${asset} failed (exit ${String(child.status ?? child.signal)}): ${child.error?.message ?? child.stderr}`,
    );
  }
  return ms;
}

/**
 * Builds every step exactly as shipped (no externals) into a temporary folder, then measures each asset's
 * size and its cold module-load time. One child at a time: two at once on two cores more than doubled the
 * measured load times and saved no wall time. The runs go round-robin over the steps so that a burst of
 * load from elsewhere on the machine spreads over all of them rather than skewing one.
 */
export function measureShippedAssets(): AssetReport {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'blue-green-bench-assets-'));
  try {
    const buildStart = performance.now();
    bundleSteps(outdir);
    const buildMs = performance.now() - buildStart;

    const files = STEP_NAMES.map((step) => path.join(outdir, step, ASSET_ENTRY.file));
    const runs: number[][] = files.map(() => []);
    const measureStart = performance.now();
    for (let run = 0; run < LOAD_RUNS; run++) {
      files.forEach((file, index) => runs[index].push(loadOnce(file)));
    }
    const measureMs = performance.now() - measureStart;

    const assets = STEP_NAMES.map((step, index) => ({
      step,
      bytes: fs.statSync(files[index]).size,
      mapBytes: fs.statSync(`${files[index]}.map`).size,
      loadMs: runs[index],
      loadMsMedian: median(runs[index]),
      loadMsMin: Math.min(...runs[index]),
    }));
    return { assets, buildMs, measureMs };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const kb = (bytes: number): string => String(Math.round(bytes / 1024));
const ms = (value: number): string => String(Math.round(value));

export function printAssetTable({ assets, buildMs, measureMs }: AssetReport): void {
  process.stdout.write(
    `\nShipped step assets (one esbuild build, no externals, ${ms(buildMs)} ms; cold require() in a fresh node` +
      ` with NODE_OPTIONS="${LAMBDA_NODE_OPTIONS}" and Lambda's environment, median of ${LOAD_RUNS},` +
      ` ${ms(measureMs)} ms; the source map is built but not shipped)\n`,
  );
  const header = ['step', 'KB', 'map KB', 'load ms median', 'fastest'];
  const sum = (pick: (asset: AssetFigures) => number): number =>
    assets.reduce((total, asset) => total + pick(asset), 0);
  const max = (pick: (asset: AssetFigures) => number): number => Math.max(...assets.map(pick));
  const lines = [
    ...assets.map((asset) => [
      asset.step,
      kb(asset.bytes),
      kb(asset.mapBytes),
      ms(asset.loadMsMedian),
      ms(asset.loadMsMin),
    ]),
    [
      `total (${assets.length} steps)`,
      kb(sum((asset) => asset.bytes)),
      kb(sum((asset) => asset.mapBytes)),
      ms(sum((asset) => asset.loadMsMedian)),
      ms(sum((asset) => asset.loadMsMin)),
    ],
    [
      'max',
      kb(max((asset) => asset.bytes)),
      kb(max((asset) => asset.mapBytes)),
      ms(max((asset) => asset.loadMsMedian)),
      ms(max((asset) => asset.loadMsMin)),
    ],
  ];
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...lines.map((line) => line[column].length)),
  );
  const rule = widths.map((width) => '-'.repeat(width));
  for (const [index, line] of [header, ...lines].entries()) {
    if (index === assets.length + 1) {
      process.stdout.write(`  ${rule.join('  ')}\n`);
    }
    process.stdout.write(`  ${line.map((cell, column) => cell.padEnd(widths[column])).join('  ')}\n`);
  }
  process.stdout.write(
    `  targets: each asset at most ${TARGET_KB} KB (of 1,024 bytes) and ${TARGET_LOAD_MS} ms to load; before issue 16, 0.9–2.0 MB and` +
      ` 180–590 ms (docs/development.md has both measured side by side)\n`,
  );
}

/** Issue 16's goals for each shipped asset. */
const TARGET_KB = 300;
const TARGET_LOAD_MS = 100;
