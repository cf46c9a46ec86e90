import * as path from 'node:path';
import { closestName, ConfigurationError, type ConfigurationProblem } from './configuration-error';

/** The context keys this app reads, given with `-c key=value` (or cdk.json's "context"), and what they mean. */
export const APP_CONTEXT_KEYS = {
  config: 'the configuration file (default config/example.json)',
} as const;

export const DEFAULT_CONFIG_FILE = path.join('config', 'example.json');

/**
 * The configuration file the context names. A key the app does not read is ignored by the CDK, so a
 * misspelt `-c confg=my.json` would quietly synthesize the example: a key close to one the app reads (a
 * misspelling, a different case, or a longer form such as `configFile`) is refused, naming the right one.
 * Keys of the CDK itself and its feature flags (`aws:cdk:…`, `@aws-cdk/…`, lookups `…:account=…`) are
 * left alone.
 */
export function configFileFromContext(context: Record<string, unknown>): string {
  const known = Object.keys(APP_CONTEXT_KEYS);
  const problems: ConfigurationProblem[] = [];
  for (const key of Object.keys(context)) {
    if (known.includes(key) || /[:@/]/.test(key)) continue;
    const meant = closestName(key, known) ?? known.find((name) => startsWithName(key, name));
    if (meant !== undefined) {
      problems.push({
        field: `-c ${key}`,
        problem: `unknown context key: did you mean -c ${meant}=…? (this app reads ${known.map((name) => `-c ${name}`).join(', ')})`,
      });
    }
  }
  const file = context.config;
  if (file !== undefined && (typeof file !== 'string' || file.trim() === '')) {
    problems.push({
      field: '-c config',
      problem: 'must be the path of a configuration file, e.g. -c config=config/my-app.json',
    });
  }
  if (problems.length > 0) throw new ConfigurationError(problems, { heading: 'Invalid CDK context' });
  return typeof file === 'string' ? file : DEFAULT_CONFIG_FILE;
}

/** `configFile`, `config-file`, `CONFIGURATION`: a longer form of a key the app reads. */
function startsWithName(key: string, name: string): boolean {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .startsWith(name.toLowerCase());
}
