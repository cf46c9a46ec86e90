/**
 * npm writes its "> script" banner on standard output before the script runs, unless it runs silent:
 * `npm run -s <script>` (npm's documented switch: `-s`/`--silent` is `--loglevel silent`, see
 * docs.npmjs.com/cli/using-npm/logging). Nothing the script does can take the banner back, so a JSON
 * report after it no longer parses. The project's .npmrc does not make every npm command silent (a
 * mistyped `npm run simulat` must print npm's error): the README runs JSON commands with `npm run -s`,
 * and an entry asked for JSON under a non-silent npm says so on standard error.
 */
export function npmBannerNote(
  script: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.npm_lifecycle_event !== script) return undefined; // not started by `npm run <script>`
  // npm hands its non-default settings to the script as npm_config_*: silent prints no banner, and
  // npm's own --json puts it on standard error.
  if (env.npm_config_loglevel === 'silent' || env.npm_config_json === 'true') return undefined;
  return (
    `note: npm printed its "> ${script}" banner on standard output before the JSON; for the JSON alone run ` +
    `npm run -s ${script} -- ${argv.join(' ')}`
  );
}

/** Whether the command line asks for a JSON report: `--json` (simulate) or `--output json` (ops). */
export function wantsJsonOutput(argv: readonly string[]): boolean {
  return argv.some(
    (arg, index) =>
      arg === '--json' || arg === '--output=json' || (arg === '--output' && argv[index + 1] === 'json'),
  );
}
