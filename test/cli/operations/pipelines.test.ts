import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { EXIT_CODES } from '../../../cli/operations/exit-codes';
import type { Io } from '../../../cli/operations/io';
import { runOps } from '../../../cli/operations/ops';
import type { DeploymentReport } from '../../../cli/operations/report';
import { DEFAULT_AMIS, defaultEnvironment } from '../../../simulator/account/environment';
import { groupArguments } from '../../support/simulated-deployment';
import { useSimulatedStateMachine } from '../../support/simulated-state-machine';

/**
 * What a pipeline relies on, against the real state machine and the simulated account: JSON on standard
 * output, one exit code per outcome, --until shifted, --timeout, a progress line every minute, history,
 * executions addressed by name, the state machine found from the stack's outputs, and a retried --name.
 */
const environment = defaultEnvironment();
const world = useSimulatedStateMachine(environment);

interface Run {
  code: number;
  out: string[];
  err: string[];
  /** Virtual seconds at which each standard-error line was printed. */
  errAt: number[];
}

/** Runs `npm run ops -- …` in-process while virtual time passes, five seconds at a time. */
async function ops(...argv: string[]): Promise<Run> {
  const run: Run = { code: -1, out: [], err: [], errAt: [] };
  const io: Io = {
    out: (line) => run.out.push(line),
    err: (line) => {
      run.err.push(line);
      run.errAt.push(world.clock.elapsedSeconds());
    },
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  };
  let done = false;
  const promise = runOps(argv, io).then((code) => {
    done = true;
    run.code = code;
  });
  for (let seconds = 0; !done && seconds < 4 * 3600; seconds += 5) await world.clock.advance(5000);
  await promise;
  return run;
}

const json = (run: Run) => JSON.parse(run.out.join('\n')) as DeploymentReport & Record<string, unknown>;
const SM = () => ['--state-machine-arn', world.workflow.stateMachineArn];

describe('npm run ops for pipelines', () => {
  it('deploy --wait --output json: one JSON report on stdout, progress every minute on stderr with the window left', async () => {
    const run = await ops(
      'deploy',
      '--ami',
      DEFAULT_AMIS.next,
      '--window-minutes',
      '10',
      '--wait',
      '--interval',
      '120',
      '--output',
      'json',
      ...SM(),
    );

    expect(run.code).toBe(EXIT_CODES.succeeded);
    const report = json(run);
    expect(report).toMatchObject({
      outcome: 'succeeded',
      exitCode: 0,
      amiId: DEFAULT_AMIS.next,
      activeGroup: 'webapp-green',
      previousGroup: 'webapp-blue',
      execution: { arn: world.service.executions[0].arn, status: 'SUCCEEDED' },
    });
    expect(report.durationSeconds).toBeGreaterThan(600);
    // Even with --interval 120, never a minute without a line; in the window, how much of it is left.
    const gaps = run.errAt.slice(1).map((at, index) => at - run.errAt[index]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(60);
    expect(
      run.err.some((line) =>
        /still: Monitor new version during rollback window \(.*window ends in \d+ min\)/.test(line),
      ),
    ).toBe(true);
  }, 60_000);

  it('--until shifted returns once traffic has shifted, while the window goes on; history then lists it', async () => {
    const run = await ops(
      'deploy',
      '--ami',
      DEFAULT_AMIS.next,
      '--name',
      'release-1',
      '--wait',
      '--until',
      'shifted',
      '--output',
      'json',
      ...SM(),
    );

    expect(run.code).toBe(EXIT_CODES.shifted);
    expect(json(run)).toMatchObject({
      outcome: 'shifted',
      execution: { name: 'release-1', status: 'RUNNING' },
    });
    expect(world.service.executions[0].status).toBe('RUNNING');

    // Addressed by its name, watch follows it to the end.
    const watched = await ops('watch', '--execution', 'release-1', ...SM());
    expect(watched.code).toBe(0);
    expect(watched.out).toContain('Outcome    succeeded');

    await world.clock.advance(30_000); // ListExecutions lists a new execution a few seconds on
    const history = await ops('history', '--output', 'json', ...SM());
    expect(history.code).toBe(0);
    expect(json(history).deployments).toEqual([
      expect.objectContaining({
        outcome: 'succeeded',
        amiId: DEFAULT_AMIS.next,
        execution: expect.objectContaining({ name: 'release-1' }),
      }),
    ]);
    const text = await ops('history', ...SM());
    expect(text.out[1]).toMatch(/^release-1 +succeeded +ami-\w+ +2026-01-05T09:00:00.000Z +01:0\d:\d\d$/);
  }, 60_000);

  it('--until shifted does not pass a deployment that is already rolling back: it follows it to its end', async () => {
    await ops('deploy', '--ami', DEFAULT_AMIS.next, '--name', 'release-3', ...SM());
    while (!world.service.executions[0].currentState?.startsWith('Monitor new version'))
      await world.clock.advance(5000);
    await ops('rollback', ...groupArguments(environment));
    // One poll then sees the window and the rollback in the same batch of history events.
    while (
      !world.service.executions[0].timeline.some((entry) => entry.state === 'Roll back to the old version')
    )
      await world.clock.advance(5000);
    expect(world.service.executions[0].status).toBe('RUNNING');

    const run = await ops(
      'watch',
      '--execution',
      'release-3',
      '--until',
      'shifted',
      '--output',
      'json',
      ...SM(),
    );

    expect(run.code).toBe(EXIT_CODES['rolled-back']);
    expect(json(run)).toMatchObject({ outcome: 'rolled-back' });
  }, 60_000);

  it('--timeout stops following (exit code still-running), the deployment goes on', async () => {
    const run = await ops(
      'deploy',
      '--ami',
      DEFAULT_AMIS.next,
      '--wait',
      '--timeout',
      '300',
      '--output',
      'json',
      ...SM(),
    );

    expect(run.code).toBe(EXIT_CODES['still-running']);
    expect(json(run)).toMatchObject({ outcome: 'still-running', exitCode: 11 });
    expect(run.err.at(-1)).toMatch(/^Stopped following after 300 s \(--timeout\); the deployment goes on/);
    expect(world.service.executions[0].status).toBe('RUNNING');
  }, 60_000);

  it('--timeout stops on time, not up to an interval later', async () => {
    const began = world.clock.elapsedSeconds();
    const run = await ops(
      'deploy',
      '--ami',
      DEFAULT_AMIS.next,
      '--wait',
      '--interval',
      '60',
      '--timeout',
      '90',
      ...SM(),
    );

    expect(run.code).toBe(EXIT_CODES['still-running']);
    // When it said it stopped, in virtual seconds. This test moves the clock in 5 s steps and reads it once
    // a step is done, so a stop at 90 s reads as 90 or 95; one an interval (60 s) late would read 120 or more.
    expect(run.err.at(-1)).toMatch(/^Stopped following after 90 s/);
    const stoppedAfter = (run.errAt.at(-1) ?? Infinity) - began;
    expect(stoppedAfter).toBeGreaterThanOrEqual(90);
    expect(stoppedAfter).toBeLessThanOrEqual(95);
  }, 60_000);

  it('a rolled-back deployment exits with its own code; the JSON says why and which group serves', async () => {
    const started = await ops('deploy', '--ami', DEFAULT_AMIS.next, '--name', 'release-2', ...SM());
    expect(started.code).toBe(0);
    while (!world.service.executions[0].currentState?.startsWith('Monitor new version'))
      await world.clock.advance(5000);
    const request = await ops('rollback', ...groupArguments(environment), '--output', 'json');
    expect(json(request)).toMatchObject({
      outcome: 'succeeded',
      request: 'rollback',
      group: 'webapp-green',
      changed: true,
    });

    const run = await ops('watch', '--execution', 'release-2', '--output', 'json', ...SM());

    expect(run.code).toBe(EXIT_CODES['rolled-back']);
    expect(json(run)).toMatchObject({
      outcome: 'rolled-back',
      exitCode: 5,
      activeGroup: 'webapp-blue',
      previousGroup: 'webapp-blue',
    });
    expect(json(run).reason).toContain('An operator asked for a rollback');
  }, 60_000);

  it('a retry with the same --name and AMI follows the existing execution; another AMI under that name is refused', async () => {
    const first = await ops(
      'deploy',
      '--ami',
      DEFAULT_AMIS.next,
      '--name',
      'release-3',
      '--window-minutes',
      '0',
      '--wait',
      ...SM(),
    );
    expect(first.code).toBe(0);

    const retry = await ops(
      'deploy',
      '--ami',
      DEFAULT_AMIS.next,
      '--name',
      'release-3',
      '--window-minutes',
      '0',
      '--wait',
      '--output',
      'json',
      ...SM(),
    );
    expect(retry.code).toBe(0);
    expect(retry.err[0]).toMatch(
      /^note: release-3 already deployed ami-\w+ \(SUCCEEDED\); following that execution/,
    );
    expect(json(retry)).toMatchObject({ outcome: 'succeeded', execution: { name: 'release-3' } });
    expect(world.service.executions).toHaveLength(1);

    const other = await ops(
      'deploy',
      '--ami',
      'ami-0123456789abcdef0',
      '--name',
      'release-3',
      '--output',
      'json',
      ...SM(),
    );
    expect(other.code).toBe(EXIT_CODES.error);
    expect(json(other)).toMatchObject({ outcome: 'error', exitCode: 1 });
    expect(other.err[0]).toMatch(
      /An execution named release-3 already exists for ami-\w+, not ami-0123456789abcdef0: give this deployment another --name/,
    );
  }, 60_000);

  it('--config alone finds the state machine in its stack’s StateMachineArn output', async () => {
    const cloudFormation = mockClient(CloudFormationClient);
    try {
      cloudFormation.on(DescribeStacksCommand, { StackName: 'WebappBlueGreen' }).resolves({
        Stacks: [
          {
            StackName: 'WebappBlueGreen',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [
              {
                OutputKey: 'StateMachineArn',
                OutputValue: world.workflow.stateMachineArn,
                ExportName: 'WebappBlueGreen-StateMachineArn',
              },
            ],
          },
        ],
      });
      const run = await ops(
        'deploy',
        '--ami',
        DEFAULT_AMIS.next,
        '--config',
        'config/example.json',
        '--region',
        'us-east-1',
      );
      expect(run.code).toBe(0);
      expect(run.out).toEqual([world.service.executions[0].arn]);

      cloudFormation.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'WebappBlueGreen',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [],
          },
        ],
      });
      const old = await ops('status', '--config', 'config/example.json');
      expect(old.code).toBe(1);
      expect(old.err[0]).toMatch(
        /Stack WebappBlueGreen in the default Region has no StateMachineArn output: deploy this version/,
      );
    } finally {
      cloudFormation.restore();
    }
  }, 60_000);
});
