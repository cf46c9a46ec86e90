import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuiltApp } from '../../infra/app-builder';
import { loadConfig, type ConfigFile } from '../../infra/config';

export const EXAMPLE_CONFIG = path.join(__dirname, '..', '..', 'config', 'example.json');

/**
 * A CDK app for tests: no asset bundling (esbuild per function would dominate the run) and no built-in
 * CloudFormation validation (docs/simulation.md#local-engine-notes, 11), written to a temporary folder that
 * is removed after. Removed when the test file ends: at the worker's exit the clean-up raced jest, which
 * stops a worker that has not exited within half a second, and left the folders behind.
 */
const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs.splice(0)) fs.rmSync(outdir, { recursive: true, force: true });
});

export function testApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-'));
  outdirs.push(outdir);
  return new App({
    outdir,
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
}

export function synthExample(
  config: ConfigFile = loadConfig(EXAMPLE_CONFIG),
): BuiltApp & { template: Template } {
  const built = buildApp(config, testApp());
  return { ...built, template: Template.fromStack(built.orchestrator) };
}
