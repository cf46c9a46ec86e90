#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { configFileFromContext } from './app-context';
import { buildApp } from './app-builder';
import { ConfigurationError, loadConfig } from './config';

/**
 * `npx cdk synth` / `npx cdk deploy`: builds the stacks from a configuration file chosen with
 * `-c config=path/to/file.json` (default: config/example.json). A configuration it cannot use ends the
 * app with one `file: field: problem` line per problem on standard error and exit code 1, no stack trace.
 */
function synthesize(): void {
  const app = new App();
  const file = configFileFromContext(app.node.getAllContext() as Record<string, unknown>);
  const config = loadConfig(file);
  try {
    buildApp(config, app);
  } catch (error) {
    // The construct names its props' fields: `deployment` in the file.
    if (error instanceof ConfigurationError) throw error.inFile(file, 'deployment');
    throw error;
  }
  app.synth();
}

try {
  synthesize();
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  // Exit at once: work started before the error (asset builds) would otherwise hold the process open.
  process.stderr.write(`${error.message}\n`, () => process.exit(1));
}
