#!/usr/bin/env node
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from './app-builder';
import { loadConfig } from './config';

/**
 * `npx cdk synth` / `npx cdk deploy`: builds the stacks from a configuration file chosen with
 * `-c config=path/to/file.json` (default: config/example.json).
 */
const app = new App();
const configFile =
  (app.node.tryGetContext('config') as string | undefined) ?? path.join('config', 'example.json');
buildApp(loadConfig(configFile), app);
app.synth();
