import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An App for construct tests: synthesizes into its own temporary folder (removed by `cleanup`, so runs
 * leave no `cdk.out*` behind) and skips CDK's built-in CloudFormation validation, which costs ~1.7 s per
 * synth and checks nothing these tests rely on.
 */
export function testApp(context: Record<string, unknown> = {}): { app: App; cleanup: () => void } {
  const outdir = mkdtempSync(join(tmpdir(), 'reference-environment-'));
  const app = new App({ outdir, context, builtinCloudFormationValidation: false });
  return { app, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}
