import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CACHE_ROOT, ROOT } from '../infra/build-cache';

/**
 * How long the commands a developer waits for take, each in a new process as they are typed: `npm run
 * simulate` cold (nothing cached: the steps bundled, the CDK app synthesized), with the bundles cached but
 * not the synthesized workflow, and warm; `npx cdk synth` with the shipped bundles cached and without.
 */
export interface StartupReport {
  simulate: { cold: Timed; noWorkflowCache: Timed; warm: Timed };
  /** In-process synthesis (CDK app to workflow, loading aws-cdk-lib included), as the run above reported it. */
  synthesisMs: number;
  cdkSynth: { bundlesCached: Timed; bundlesBuilt: Timed };
}

export interface Timed {
  ms: number;
  ok: boolean;
  detail?: string;
}

export function timed(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Timed & { stdout: string; stderr: string } {
  const start = performance.now();
  const child = spawnSync(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  const ok = child.status === 0;
  return {
    ms,
    ok,
    stdout: child.stdout ?? '',
    stderr: child.stderr ?? '',
    detail: ok ? undefined : `exit ${String(child.status ?? child.signal)}: ${child.stderr.slice(-300)}`,
  };
}

/** `npm run -s simulate -- --json` with the given cache folder; its report's synthesis time. */
function simulate(cacheDir: string): Timed & { synthesisMs: number } {
  const run = timed('npm', ['run', '-s', 'simulate', '--', '--json'], {
    ASG_BLUE_GREEN_CACHE_DIR: cacheDir,
  });
  let synthesisMs = NaN;
  try {
    synthesisMs = (JSON.parse(run.stdout) as { synthesisMs: number }).synthesisMs;
  } catch {
    return { ...run, ok: false, synthesisMs, detail: run.detail ?? 'no JSON report' };
  }
  return { ms: run.ms, ok: run.ok, detail: run.detail, synthesisMs };
}

function cdkSynth(cacheDir: string): Timed {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'blue-green-bench-synth-'));
  try {
    const { ms, ok, detail } = timed('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
      ASG_BLUE_GREEN_CACHE_DIR: cacheDir,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
    });
    return { ms, ok, detail };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Runs each command with a cache folder of its own (inside node_modules, where the simulation's bundles
 * find the project's AWS SDK), removed after: the project's own cache is neither used nor disturbed.
 */
export function measureStartup(): StartupReport {
  const cacheDir = `${CACHE_ROOT}-bench-${process.pid}`;
  try {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    const cold = simulate(cacheDir);
    fs.rmSync(path.join(cacheDir, 'workflows'), { recursive: true, force: true });
    const noWorkflowCache = simulate(cacheDir);
    const warm = simulate(cacheDir);
    const bundlesBuilt = cdkSynth(cacheDir);
    const bundlesCached = cdkSynth(cacheDir);
    return {
      simulate: { cold, noWorkflowCache, warm },
      synthesisMs: noWorkflowCache.synthesisMs,
      cdkSynth: { bundlesCached, bundlesBuilt },
    };
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

export const seconds = ({ ms, ok, detail }: Timed): string =>
  ok ? `${(ms / 1000).toFixed(1)} s` : `FAILED (${detail ?? 'unknown'})`;

export function printStartupTable(report: StartupReport): void {
  process.stdout.write('\nStart-up (each a new process, as typed; wall time on this machine)\n');
  const rows: [string, string][] = [
    ['npm run simulate, cold: steps bundled, CDK app synthesized', seconds(report.simulate.cold)],
    ['npm run simulate, bundles cached, workflow not', seconds(report.simulate.noWorkflowCache)],
    ['npm run simulate, warm (bundles and workflow cached)', seconds(report.simulate.warm)],
    [
      '  of which in-process synthesis (with loading aws-cdk-lib), when not cached',
      Number.isFinite(report.synthesisMs) ? `${Math.round(report.synthesisMs)} ms` : 'n/a',
    ],
    ['npx cdk synth (example configuration), shipped bundles built', seconds(report.cdkSynth.bundlesBuilt)],
    ['npx cdk synth (example configuration), shipped bundles cached', seconds(report.cdkSynth.bundlesCached)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(width)}  ${value}\n`);
}

export function startupFailed(report: StartupReport): boolean {
  return [
    report.simulate.cold,
    report.simulate.noWorkflowCache,
    report.simulate.warm,
    report.cdkSynth.bundlesBuilt,
    report.cdkSynth.bundlesCached,
  ].some((run) => !run.ok);
}
