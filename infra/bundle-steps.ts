import { bundleStepsAsync, type BundleOptions } from './bundling';
import type { StepName } from '../state-machine/step-registry';

/**
 * Run by `bundleSteps` (infra/bundling.ts) in a child process: esbuild's plugins need its asynchronous API,
 * which a synchronous caller cannot wait for. The argument: `{ outdir, options, steps }` as JSON.
 */
const { outdir, options, steps } = JSON.parse(process.argv[2]) as {
  outdir: string;
  options: BundleOptions;
  steps: StepName[];
};
bundleStepsAsync(outdir, options, steps).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
