import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { EXIT_CODES } from '../../cli/operations/exit-codes';
import type { Io } from '../../cli/operations/io';
import { runOps } from '../../cli/operations/ops';
import type { DeploymentReport } from '../../cli/operations/report';
import { DEFAULT_AMIS, defaultEnvironment } from '../../simulator/account/environment';
import { groupArguments } from '../support/simulated-deployment';
import { useSimulatedStateMachine } from '../support/simulated-state-machine';
import {
  deployScript,
  githubScripts,
  gitlabScripts,
  opsArguments,
  printedOpsCommands,
  runScript,
  type Inputs,
  type RecipeScript,
} from './recipe-scripts';

/**
 * The CI recipes end to end on the simulated account: the command line bash makes of a recipe's deploy
 * script runs in the real CLI against the synthesized state machine, and the CLI's report and exit code go
 * back through the recipe's gate. The job's result is then the deployment's, outcome by outcome.
 */
const environment = defaultEnvironment();
const world = useSimulatedStateMachine(environment);

// The recipes give --config alone: the CLI reads the state machine from the stack's StateMachineArn output.
const cloudFormation = mockClient(CloudFormationClient);
beforeEach(() => {
  cloudFormation.reset();
  cloudFormation.on(DescribeStacksCommand, { StackName: 'WebappBlueGreen' }).resolves({
    Stacks: [
      {
        StackName: 'WebappBlueGreen',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [{ OutputKey: 'StateMachineArn', OutputValue: world.workflow.stateMachineArn }],
      },
    ],
  });
});
afterAll(() => cloudFormation.restore());

interface CliRun {
  code: number;
  stdout: string;
  stderr: string[];
}

/**
 * `npm run -s ops -- …` in-process while virtual time passes, five seconds at a time; `meanwhile` runs
 * between two steps of time (an operator's action while a pipeline waits).
 */
async function ops(argv: string[], meanwhile?: () => Promise<void>): Promise<CliRun> {
  const run: CliRun = { code: -1, stdout: '', stderr: [] };
  const io: Io = {
    out: (line) => (run.stdout += `${line}\n`),
    err: (line) => run.stderr.push(line),
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  };
  let done = false;
  const promise = runOps(argv, io).then((code) => {
    done = true;
    run.code = code;
  });
  for (let seconds = 0; !done && seconds < 4 * 3600; seconds += 5) {
    await world.clock.advance(5000);
    await meanwhile?.();
  }
  await promise;
  return run;
}

/** An operator's `npm run ops -- rollback` once the deployment is in its rollback window. */
function rollbackInTheWindow(): () => Promise<void> {
  let requested = false;
  return async () => {
    if (requested || !world.service.executions[0]?.currentState?.startsWith('Monitor new version')) return;
    requested = true;
    const quiet: Io = { out: () => {}, err: () => {}, sleep: async () => {} };
    const code = await runOps(['rollback', ...groupArguments(environment)], quiet);
    expect(code).toBe(0);
  };
}

/** What the CLI receives from a recipe's deploy script: bash's reading of it, recorded once per input. */
const recorded = new Map<string, Promise<string[]>>();
function cliArguments(script: RecipeScript): Promise<string[]> {
  const key = JSON.stringify([script.recipe, script.env]);
  if (!recorded.has(key)) {
    recorded.set(
      key,
      runScript(script, { stdout: '', code: 0 }).then((run) => {
        const calls = run.npm.map(opsArguments).filter((call) => call !== undefined);
        expect(calls).toHaveLength(1);
        return calls[0].argv;
      }),
    );
  }
  return recorded.get(key) as Promise<string[]>;
}

/** A pipeline job: the recipe's deploy script, with the real CLI on the simulated account behind `npm`. */
async function job(
  scripts: (inputs: Inputs) => RecipeScript[],
  inputs: Inputs,
  meanwhile?: () => Promise<void>,
) {
  const script = deployScript(scripts(inputs));
  const cli = await ops(await cliArguments(script), meanwhile);
  const run = await runScript(script, { stdout: cli.stdout, code: cli.code });
  const report = JSON.parse(cli.stdout) as DeploymentReport;
  const message = /(?:::(?:notice|error) title=Blue\/green deployment::|lue\/green deployment: )(.*)$/m.exec(
    `${run.stdout}\n${run.stderr}`,
  )?.[1];
  return { cli, report, status: run.status, message: message ?? '' };
}

describe('CI recipes on the simulated account', () => {
  it('GitHub Actions: a deployment that succeeds passes the job; a re-run follows the same execution', async () => {
    const first = await job(githubScripts, { amiId: DEFAULT_AMIS.next });

    expect(first.report).toMatchObject({ outcome: 'succeeded', amiId: DEFAULT_AMIS.next });
    expect(first.status).toBe(0);
    expect(first.message).toMatch(/^succeeded: ami-\w+ serves all traffic/);
    expect(world.service.executions.map((execution) => execution.arn)).toEqual([
      expect.stringMatching(/:github-1234567890$/),
    ]);

    const rerun = await job(githubScripts, { amiId: DEFAULT_AMIS.next });
    expect(rerun.cli.stderr[0]).toMatch(/^note: github-1234567890 already deployed ami-\w+ \(SUCCEEDED\)/);
    expect(rerun.status).toBe(0);
    expect(world.service.executions).toHaveLength(1);
  });

  it('GitHub Actions, until shifted: the job passes once traffic has shifted; the command it prints follows the rest', async () => {
    const shifted = await job(githubScripts, { amiId: DEFAULT_AMIS.next, until: 'shifted' });

    expect(shifted.report).toMatchObject({ outcome: 'shifted' });
    expect(shifted.status).toBe(EXIT_CODES.shifted);
    expect(world.service.executions[0].status).toBe('RUNNING');
    const [watch] = printedOpsCommands(shifted.message);
    expect(watch.slice(0, 3)).toEqual(['watch', '--execution', 'github-1234567890']);
    const watched = await ops(watch);
    expect(watched.code).toBe(EXIT_CODES.succeeded);
    expect(watched.stdout).toContain('Outcome    succeeded');
  });

  it('GitHub Actions: an AMI of another application is rejected, and the job fails with exit code 3', async () => {
    const rejected = await job(githubScripts, { amiId: DEFAULT_AMIS.foreign });

    expect(rejected.report).toMatchObject({ outcome: 'rejected' });
    expect(rejected.status).toBe(EXIT_CODES.rejected);
    expect(rejected.message).toMatch(/^rejected: the deployment was rejected; nothing changed\. Reason: /);
  });

  it('GitHub Actions: a version failing its synthetic checks is aborted before the shift (exit code 4)', async () => {
    world.account.setVersionBehaviour(DEFAULT_AMIS.next, { failSyntheticChecks: true });

    const aborted = await job(githubScripts, { amiId: DEFAULT_AMIS.next });

    expect(aborted.report).toMatchObject({ outcome: 'aborted' });
    expect(aborted.status).toBe(EXIT_CODES.aborted);
    expect(aborted.message).toMatch(/^aborted: .*production is untouched\. Reason: /);
  });

  it.each([
    ['GitHub Actions', githubScripts],
    ['GitLab CI', gitlabScripts],
  ])('%s: an operator rolls back during the window; the job fails with exit code 5', async (_, scripts) => {
    const rolledBack = await job(scripts, { amiId: DEFAULT_AMIS.next }, rollbackInTheWindow());

    expect(rolledBack.report).toMatchObject({ outcome: 'rolled-back', activeGroup: 'webapp-blue' });
    expect(rolledBack.status).toBe(EXIT_CODES['rolled-back']);
    expect(rolledBack.message).toMatch(/^rolled-back: .*the old version serves again\. Reason: \S/);
  });

  it('GitLab CI: a deployment that succeeds passes the job', async () => {
    const succeeded = await job(gitlabScripts, { amiId: DEFAULT_AMIS.next });

    expect(succeeded.report).toMatchObject({ outcome: 'succeeded' });
    expect(succeeded.status).toBe(0);
    expect(world.service.executions[0].arn).toMatch(/:gitlab-987654$/);
  });
});
