import * as fs from 'node:fs';
import { deployCommand } from '../../cli/operations/deploy';
import { EXIT_CODES, type CliOutcome } from '../../cli/operations/exit-codes';
import { COMMANDS } from '../../cli/operations/ops';
import { historyCommand } from '../../cli/operations/past-deployments';
import { promoteCommand } from '../../cli/operations/promote';
import type { DeploymentReport } from '../../cli/operations/report';
import { rollbackCommand } from '../../cli/operations/rollback';
import { approveCommand } from '../../cli/operations/approve';
import { abortCommand } from '../../cli/operations/abort';
import { recoverCommand } from '../../cli/operations/recover';
import { undoCommand } from '../../cli/operations/undo';
import { releaseCommand } from '../../cli/operations/release';
import { statusCommand } from '../../cli/operations/status';
import { TIMEOUT_BOUNDS } from '../../cli/operations/follow';
import { watchCommand } from '../../cli/operations/watch';
import {
  deployScript,
  GITHUB_RECIPE,
  githubScripts,
  githubSteps,
  gitlabJobs,
  gitlabScripts,
  opsArguments,
  printedOpsCommands,
  readYaml,
  runScript,
  type Inputs,
  type RecipeScript,
  type ScriptRun,
} from './recipe-scripts';

/**
 * The CI recipes against the CLI they call: a change to the CLI's options or exit codes that breaks a
 * recipe fails here. Each recipe's script runs in bash as its CI system runs it, with `npm` standing in for
 * the CLI (recipe-scripts.ts); ci-recipes-simulated.test.ts runs the real CLI on the simulated account.
 */

/** The CLI's own parser of each command (`parse` throws a UsageError for what the CLI would refuse). */
const PARSERS: Record<string, (argv: string[]) => unknown> = Object.fromEntries(
  [
    deployCommand,
    statusCommand,
    watchCommand,
    historyCommand,
    promoteCommand,
    rollbackCommand,
    approveCommand,
    abortCommand,
    recoverCommand,
    undoCommand,
    releaseCommand,
  ].map((command) => [command.name, (argv: string[]) => command.parse(argv)]),
);

function parseOps(argv: string[]): unknown {
  const [name, ...rest] = argv;
  const parse = PARSERS[name];
  if (!parse) throw new Error(`npm run ops -- ${argv.join(' ')}: no command "${name}"`);
  return parse(rest);
}

const AMI = 'ami-0123456789abcdef0';
const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:webapp-blue-green-deployment:run-1';
/** The codes of the CLI's table, each once. */
const CODES = [...new Set(Object.values(EXIT_CODES))].sort((a, b) => a - b);

/** A report as `--output json` prints it, for the gate to read. */
function report(outcome: CliOutcome, reason: string | null = null): string {
  const value: DeploymentReport = {
    outcome,
    exitCode: EXIT_CODES[outcome],
    summary: `${outcome} in words`,
    reason,
    execution: { arn: EXECUTION_ARN, name: 'run-1', status: 'SUCCEEDED' },
    amiId: AMI,
    activeGroup: 'webapp-green',
    previousGroup: 'webapp-blue',
    startedAt: '2026-01-05T09:00:00.000Z',
    stoppedAt: '2026-01-05T10:05:00.000Z',
    durationSeconds: 3900,
  };
  return JSON.stringify(value, null, 2);
}

/** The outcome a failed job's message starts with: the first word after the recipe's prefix. */
function messageOf(recipe: RecipeScript['recipe'], run: ScriptRun): string | undefined {
  const text = `${run.stdout}\n${run.stderr}`;
  const pattern =
    recipe === 'github-actions'
      ? /^::(?:notice|error) title=Blue\/green deployment::(.*)$/m
      : /^(?:ERROR: b|B)lue\/green deployment: (.*)$/m;
  return pattern.exec(text)?.[1];
}

/** The exit codes a script's gate handles: the numeric patterns of its `case` (`3)`, `10)` …). */
function handledCodes(script: string): number[] {
  return [...script.matchAll(/^\s*(\d+)\)/gm)].map((match) => Number(match[1])).sort((a, b) => a - b);
}

const RECIPES: { recipe: RecipeScript['recipe']; scripts: (inputs: Inputs) => RecipeScript[] }[] = [
  { recipe: 'github-actions', scripts: githubScripts },
  { recipe: 'gitlab-ci', scripts: gitlabScripts },
];

describe('CI recipes', () => {
  it('the test knows every command of the CLI', () => {
    expect(Object.keys(PARSERS).sort()).toEqual(COMMANDS.map((command) => command.name).sort());
  });

  describe.each(RECIPES)('$recipe', ({ recipe, scripts }) => {
    const deploy = (inputs: Inputs = { amiId: AMI }) => deployScript(scripts(inputs));

    it('is valid YAML whose scripts name only commands the CLI has', () => {
      const all = scripts({ amiId: AMI });
      expect(all.length).toBeGreaterThan(0);
      const named = all.flatMap((script) =>
        [...script.script.matchAll(/npm run (?:-s )?ops -- (\S+)/g)].map((match) => match[1]),
      );
      expect(named).toContain('deploy');
      for (const name of named) expect(Object.keys(PARSERS)).toContain(name);
    });

    it('the deploy command line, as bash passes it, parses with the CLI’s own parser (--until finished and shifted)', async () => {
      const untils = ['finished', 'shifted'] as const;
      const runs = await Promise.all(
        untils.map((until) =>
          runScript(deploy({ amiId: AMI, until }), { stdout: report('succeeded'), code: 0 }),
        ),
      );
      runs.forEach((run, index) => {
        const calls = run.npm.map(opsArguments).filter((call) => call !== undefined);
        expect(calls).toHaveLength(1);
        const [{ silent, argv }] = calls;
        // JSON alone on standard output: npm's own banner would otherwise come first (README, npm run -s).
        expect(silent).toBe(true);
        expect(argv[0]).toBe('deploy');
        const options = deployCommand.parse(argv.slice(1));
        expect(options).toMatchObject({
          amiId: AMI,
          wait: true,
          until: untils[index],
          output: 'json',
          name: expect.stringMatching(recipe === 'github-actions' ? /^github-\d+$/ : /^gitlab-\d+$/),
          // --config alone: the state machine from the stack's StateMachineArn output.
          stack: { stackName: 'WebappBlueGreen', file: 'config/example.json' },
        });
        expect(options.timeoutSeconds).toBeGreaterThanOrEqual(TIMEOUT_BOUNDS.min);
        // npm ci (or nothing) before it, no other npm command.
        expect(run.npm.filter((args) => args[0] !== 'ci')).toHaveLength(1);
      });
    });

    it('no other script runs the CLI', async () => {
      const others = scripts({ amiId: AMI }).filter((script) => script.name !== deploy().name);
      for (const script of others) {
        const run = await runScript(script, { stdout: '', code: 0 });
        expect([script.name, run.npm.map(opsArguments).filter(Boolean)]).toEqual([script.name, []]);
      }
    });

    it('the gate handles exactly the codes of the CLI’s exit-code table, and anything else as a failure', () => {
      const { script } = deploy();
      expect(handledCodes(script)).toEqual(CODES);
      expect(script).toMatch(/^\s*\*\) message="unknown: /m);
    });

    it('for every exit code: the job passes on 0 and fails with the code otherwise, with that code’s outcome first in its message', async () => {
      const cases: { outcome: CliOutcome | 'unknown'; code: number; stdout: string }[] = [
        ...(Object.keys(EXIT_CODES) as CliOutcome[]).map((outcome) => ({
          outcome,
          code: EXIT_CODES[outcome],
          stdout: report(outcome, EXIT_CODES[outcome] === 0 ? null : `why it was ${outcome}`),
        })),
        // A code the table does not have (a newer CLI), and npm failing before the CLI printed anything.
        { outcome: 'unknown', code: 42, stdout: report('error', 'why it was unknown') },
        { outcome: 'error', code: 1, stdout: '' },
      ];
      const script = deploy();
      const runs = await Promise.all(cases.map(({ stdout, code }) => runScript(script, { stdout, code })));

      const hints: string[][] = [];
      cases.forEach(({ outcome, code, stdout }, index) => {
        const run = runs[index];
        const message = messageOf(recipe, run);
        // Non-zero codes are unique in the table: the branch's own word must be the table's outcome.
        expect({ code, status: run.status, first: message?.split(':')[0] }).toEqual({
          code,
          status: code,
          first: outcome,
        });
        if (code !== 0 && stdout !== '') expect(message).toContain(`Reason: why it was`);
        const reported = stdout === '' ? '' : (JSON.parse(stdout) as DeploymentReport).outcome;
        const arn = stdout === '' ? '' : EXECUTION_ARN;
        if (recipe === 'github-actions') {
          expect(run.files['github-output']).toBe(
            `outcome=${reported}\nexit-code=${code}\nexecution-arn=${arn}\n`,
          );
          expect(run.files['github-step-summary']).toContain(`(exit code ${code})`);
        } else {
          expect(run.files['deploy.env']).toBe(
            `DEPLOY_OUTCOME=${reported}\nDEPLOY_EXIT_CODE=${code}\nDEPLOY_EXECUTION_ARN=${arn}\n`,
          );
        }
        hints.push(...printedOpsCommands(message ?? ''));
      });

      // The commands the messages tell a person to run parse too (watch for shifted and still-running …).
      expect(hints.length).toBeGreaterThanOrEqual(2);
      for (const argv of hints) expect(() => parseOps(argv)).not.toThrow();
      const printed = new Set(hints.map((argv) => argv[0]));
      const written = new Set([...script.script.matchAll(/'npm run ops -- (\S+)/g)].map((match) => match[1]));
      expect([...printed].sort()).toEqual([...written].sort());
    });
  });

  describe('github-actions specifics', () => {
    const workflow = readYaml(GITHUB_RECIPE);
    const job = (workflow.jobs as Record<string, Record<string, unknown>>).deploy;

    it('inputs reach the scripts through the environment only (no ${{ }} in a script: no injection)', () => {
      for (const step of githubSteps()) expect(step.run ?? '').not.toContain('${{');
    });

    it('follows for less than the job may run, with AWS credentials that last as long as the job', () => {
      const timeoutSeconds = Number((job.env as Record<string, unknown>).FOLLOW_TIMEOUT_SECONDS);
      const jobSeconds = Number(job['timeout-minutes']) * 60;
      expect(timeoutSeconds).toBeLessThan(jobSeconds);
      expect(timeoutSeconds).toBeLessThanOrEqual(TIMEOUT_BOUNDS.max);
      const credentials = githubSteps().find((step) =>
        step.uses?.startsWith('aws-actions/configure-aws-credentials'),
      );
      expect(Number(credentials?.with?.['role-duration-seconds'])).toBeGreaterThanOrEqual(jobSeconds);
      expect(workflow.permissions).toMatchObject({ 'id-token': 'write' });
    });

    it('runs on Node.js 20, the package’s engine, after npm ci', () => {
      const steps = githubSteps();
      const setup = steps.find((step) => step.uses?.startsWith('actions/setup-node'));
      expect(String(setup?.with?.['node-version'])).toBe('20');
      const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { engines: { node: string } };
      expect(pkg.engines.node).toBe('>=20');
      const ci = steps.findIndex((step) => /^npm ci\b/.test(step.run ?? ''));
      expect(ci).toBeGreaterThan(-1);
      expect(ci).toBeLessThan(steps.findIndex((step) => step.id === 'deploy'));
    });
  });

  describe('gitlab-ci specifics', () => {
    const jobs = gitlabJobs();
    const job = Object.values(jobs)[0] as Record<string, unknown>;

    it('one job, on node:20, with an ID token for AWS and one deployment at a time', () => {
      expect(Object.keys(jobs)).toHaveLength(1);
      expect(job.image).toBe('node:20');
      expect(job.id_tokens).toEqual({ AWS_ID_TOKEN: { aud: 'sts.amazonaws.com' } });
      expect(job.resource_group).toEqual(expect.any(String));
      expect(job.interruptible).toBe(false);
    });

    it('follows for less than the job may run', () => {
      const timeoutSeconds = Number((job.variables as Record<string, unknown>).FOLLOW_TIMEOUT_SECONDS);
      const [, hours] = /^(\d+)h$/.exec(String(job.timeout)) ?? [];
      expect(timeoutSeconds).toBeLessThan(Number(hours) * 3600);
    });

    it('the SDK gets the web identity it assumes the role with (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)', async () => {
      const script = deployScript(gitlabScripts({ amiId: AMI }));
      // before_script alone, then what the SDK's default credential chain reads.
      const lines = script.script.split('\n');
      const before = lines.slice(
        0,
        lines.findIndex((line) => line.startsWith('# Retrying')),
      );
      const probe = [...before, 'echo "token=$(cat "$AWS_WEB_IDENTITY_TOKEN_FILE") role=$AWS_ROLE_ARN"'];
      const run = await runScript({ ...script, script: probe.join('\n') }, { stdout: '', code: 0 });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('token=eyJ.test-id-token.sig role=arn:aws:iam::');
    });
  });
});
