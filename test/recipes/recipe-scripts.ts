import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

/**
 * The shell scripts of the CI recipes (recipes/github-actions, recipes/gitlab-ci), run as their CI system
 * runs them: bash with the job's environment, in a scratch folder, with `npm` replaced by a stand-in that
 * records its arguments and answers `npm run … ops …` with a given report and exit code. What the recipe
 * passes to the CLI is then what bash made of its command line, quotes and variables included.
 */

export const ROOT = path.join(__dirname, '..', '..');
export const GITHUB_RECIPE = path.join(ROOT, 'recipes', 'github-actions', 'deploy.yml');
export const GITLAB_RECIPE = path.join(ROOT, 'recipes', 'gitlab-ci', 'deploy.gitlab-ci.yml');

type Yaml = Record<string, unknown>;

export interface RecipeScript {
  recipe: 'github-actions' | 'gitlab-ci';
  /** The step or job. */
  name: string;
  script: string;
  /** The job's environment as the CI system sets it, with the values the test chose for its inputs. */
  env: Record<string, string>;
  /** How the CI system starts the shell. */
  shell: string[];
}

export interface Inputs {
  amiId: string;
  until?: 'finished' | 'shifted';
}

/** The deployment input a test gives, where GitHub would substitute its `${{ … }}` expressions. */
function githubExpression(expression: string, inputs: Inputs): string {
  const values: Record<string, string> = {
    'inputs.ami-id': inputs.amiId,
    "inputs.until || 'finished'": inputs.until ?? 'finished',
  };
  if (!(expression in values)) {
    throw new Error(`${GITHUB_RECIPE}: the test has no value for \${{ ${expression} }}: add one`);
  }
  return values[expression];
}

function strings(record: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries((record ?? {}) as Yaml).map(([key, value]) => [
      key,
      typeof value === 'object' && value !== null ? String((value as Yaml).value ?? '') : String(value),
    ]),
  );
}

export function readYaml(file: string): Yaml {
  return parse(fs.readFileSync(file, 'utf8')) as Yaml;
}

interface GithubStep {
  id?: string;
  name?: string;
  run?: string;
  shell?: string;
  env?: Yaml;
  uses?: string;
  with?: Yaml;
}

export function githubSteps(): GithubStep[] {
  const workflow = readYaml(GITHUB_RECIPE);
  return Object.values(workflow.jobs as Record<string, { steps: GithubStep[] }>).flatMap((job) => job.steps);
}

/** Every `run:` script of the workflow, each with its step's environment. */
export function githubScripts(inputs: Inputs): RecipeScript[] {
  const workflow = readYaml(GITHUB_RECIPE);
  const jobs = workflow.jobs as Record<string, { env?: Yaml; steps: GithubStep[] }>;
  return Object.entries(jobs).flatMap(([jobName, job]) =>
    job.steps
      .filter((step) => step.run !== undefined)
      .map((step) => {
        const env = { ...strings(workflow.env), ...strings(job.env), ...strings(step.env) };
        for (const [key, value] of Object.entries(env)) {
          env[key] = value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) =>
            githubExpression(expression, inputs),
          );
        }
        return {
          recipe: 'github-actions' as const,
          name: `${jobName}: ${step.id ?? step.name ?? step.run}`,
          script: step.run as string,
          env: { GITHUB_RUN_ID: '1234567890', GITHUB_RUN_ATTEMPT: '1', ...env },
          // GitHub's documented command for `shell: bash`; without `shell`, Linux runners use `bash -e {0}`.
          shell:
            step.shell === 'bash' ? ['bash', '--noprofile', '--norc', '-eo', 'pipefail'] : ['bash', '-e'],
        };
      }),
  );
}

interface GitlabJob {
  script?: string | string[];
  before_script?: string | string[];
  after_script?: string | string[];
  variables?: Yaml;
  id_tokens?: Yaml;
}

/** Every job of the file: the keys that are not GitLab keywords. */
export function gitlabJobs(): Record<string, GitlabJob> {
  const file = readYaml(GITLAB_RECIPE);
  const keywords = ['variables', 'include', 'stages', 'default', 'workflow', 'image', 'services', 'cache'];
  return Object.fromEntries(
    Object.entries(file).filter(([key]) => !keywords.includes(key) && !key.startsWith('.')),
  ) as Record<string, GitlabJob>;
}

const lines = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** GitLab expands `$VAR` and `${VAR}` in variables' values before the job starts. */
function expand(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$(?:\{(\w+)\}|(\w+))/g,
    (_, braced?: string, bare?: string) => env[braced ?? bare ?? ''] ?? '',
  );
}

/** Each job's before_script and script, one shell session as GitLab runs them (after_script is apart). */
export function gitlabScripts(inputs: Inputs): RecipeScript[] {
  const file = readYaml(GITLAB_RECIPE);
  return Object.entries(gitlabJobs()).map(([name, job]) => {
    const env: Record<string, string> = { CI_PIPELINE_ID: '987654', CI_JOB_ID: '123456' };
    for (const token of Object.keys(job.id_tokens ?? {})) env[token] = 'eyJ.test-id-token.sig';
    const given = { AMI_ID: inputs.amiId, DEPLOY_UNTIL: inputs.until ?? 'finished' };
    for (const [key, value] of Object.entries({ ...strings(file.variables), ...strings(job.variables) })) {
      env[key] = expand(value, env);
    }
    Object.assign(env, given);
    return {
      recipe: 'gitlab-ci' as const,
      name,
      script: [...lines(job.before_script), ...lines(job.script)].join('\n'),
      env,
      // The runner's bash shell starts every job script with `set -eo pipefail`.
      shell: ['bash', '-eo', 'pipefail'],
    };
  });
}

/** The script that starts the deployment: the one that runs `npm run … ops -- deploy`. */
export function deployScript(scripts: RecipeScript[]): RecipeScript {
  const found = scripts.filter((script) => /npm run .*ops -- deploy/.test(script.script));
  if (found.length !== 1) throw new Error(`expected one deploy script, found ${found.length}`);
  return found[0];
}

export interface CliAnswer {
  /** What `npm run -s ops -- …` prints on standard output: the JSON report. */
  stdout: string;
  code: number;
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The arguments of every npm command the script ran, in order. */
  npm: string[][];
  /** The files the script left in its folder, and github-output / github-step-summary (GitHub's files). */
  files: Record<string, string>;
}

/** `npm` as a bash script: no Node.js start-up per call. Arguments NUL-separated, one call a line. */
const FAKE_NPM = `#!/usr/bin/env bash
{ printf '%s\\0' "$@"; printf '\\n'; } >> "$FAKE_NPM_LOG"
case " $* " in
  *" ops "*) cat "$FAKE_OPS_STDOUT"; echo "  +00:00:00  (progress lines)" >&2; exit "$FAKE_OPS_CODE" ;;
esac
exit 0
`;

/** Runs a recipe's script as its CI system would, with the CLI answering `answer`. */
export async function runScript(script: RecipeScript, answer: CliAnswer): Promise<ScriptRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recipe-'));
  try {
    const bin = path.join(dir, 'bin');
    const work = path.join(dir, 'work');
    fs.mkdirSync(bin);
    fs.mkdirSync(work);
    fs.writeFileSync(path.join(bin, 'npm'), FAKE_NPM, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'ops-stdout'), answer.stdout);
    fs.writeFileSync(path.join(dir, 'script.sh'), script.script);
    const special = {
      GITHUB_OUTPUT: path.join(dir, 'github-output'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'github-step-summary'),
    };
    const env: Record<string, string> = {
      PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: dir,
      ...(script.recipe === 'github-actions' ? special : {}),
      ...script.env,
      FAKE_NPM_LOG: path.join(dir, 'npm-log'),
      FAKE_OPS_STDOUT: path.join(dir, 'ops-stdout'),
      FAKE_OPS_CODE: String(answer.code),
    };
    const [shell, ...args] = script.shell;
    const { status, stdout, stderr } = await new Promise<{
      status: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(shell, [...args, path.join(dir, 'script.sh')], { cwd: work, env });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, stdout: out, stderr: err }));
    });
    const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
    const files: Record<string, string> = {};
    for (const name of fs.readdirSync(work)) files[name] = read(path.join(work, name)) ?? '';
    for (const file of Object.values(special)) {
      const text = read(file);
      if (text !== undefined) files[path.basename(file)] = text;
    }
    const npm = (read(env.FAKE_NPM_LOG) ?? '')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\0').slice(0, -1));
    return { status, stdout, stderr, npm, files };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The CLI's arguments of an `npm run [-s] ops -- <command> …` call, or undefined for other npm calls. */
export function opsArguments(npmArgs: string[]): { silent: boolean; argv: string[] } | undefined {
  const separator = npmArgs.indexOf('--');
  const before = separator < 0 ? npmArgs : npmArgs.slice(0, separator);
  if (before[0] !== 'run' || !before.includes('ops')) return undefined;
  if (separator < 0) throw new Error(`npm ${npmArgs.join(' ')}: no -- before the CLI's arguments`);
  return { silent: before.includes('-s') || before.includes('--silent'), argv: npmArgs.slice(separator + 1) };
}

/** `npm run ops -- …` commands a script prints for a person to run (hints), split into arguments. */
export function printedOpsCommands(text: string): string[][] {
  return [...text.matchAll(/npm run (?:-s )?ops -- ([^\n"'`]*)/g)].map((match) =>
    match[1].trim().split(/\s+/),
  );
}
