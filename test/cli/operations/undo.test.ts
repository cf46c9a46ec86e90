import { DisableImageCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EXIT_CODES } from '../../../cli/operations/exit-codes';
import type { Io } from '../../../cli/operations/io';
import { runOps } from '../../../cli/operations/ops';
import { DEFAULT_AMIS, defaultEnvironment } from '../../../simulator/account/environment';
import { useSimulatedStateMachine } from '../../support/simulated-state-machine';

/**
 * `npm run ops -- undo` (issue 12, item 5) against the real state machine and the simulated account: it
 * deploys again what the latest success replaced, and refuses, starting nothing, when there is nothing to
 * undo.
 */
const environment = defaultEnvironment();
const world = useSimulatedStateMachine(environment);

interface Run {
  code: number;
  out: string[];
  err: string[];
}

/** Runs `npm run ops -- …` in-process while virtual time passes, five seconds at a time. */
async function ops(...argv: string[]): Promise<Run> {
  const run: Run = { code: -1, out: [], err: [] };
  const io: Io = {
    out: (line) => run.out.push(line),
    err: (line) => run.err.push(line),
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

const SM = () => ['--state-machine-arn', world.workflow.stateMachineArn];
const deployNext = () =>
  ops('deploy', '--ami', DEFAULT_AMIS.next, '--window-minutes', '0', '--wait', '--output', 'json', ...SM());
const activeGroup = () => {
  const { groups } = world.account.snapshot();
  return Object.entries(groups).find(([, group]) => group.desired > 0);
};

describe('npm run ops -- undo', () => {
  it('deploys the AMI the latest success replaced, says what and why, and the account serves it again', async () => {
    const first = await deployNext();
    expect(first.code).toBe(EXIT_CODES.succeeded);
    // The success records what it replaced.
    expect(JSON.parse(first.out.join('\n'))).toMatchObject({ amiId: DEFAULT_AMIS.next });

    const run = await ops('undo', '--window-minutes', '0', '--wait', '--output', 'json', ...SM());

    expect(run.code).toBe(EXIT_CODES.succeeded);
    expect(run.err[0]).toMatch(
      new RegExp(
        `^Undo: deploying ${DEFAULT_AMIS.current}, the AMI that served before .* deployed ${DEFAULT_AMIS.next}`,
      ),
    );
    expect(JSON.parse(run.out.join('\n'))).toMatchObject({
      outcome: 'succeeded',
      amiId: DEFAULT_AMIS.current,
      activeGroup: 'webapp-blue',
      previousGroup: 'webapp-green',
    });
    expect(world.service.executions).toHaveLength(2);
    const [name, group] = activeGroup() ?? [];
    expect(name).toBe('webapp-blue');
    expect(group?.instances.filter((instance) => instance.lifecycleState === 'InService')).toHaveLength(3);
    expect(world.account.snapshot().groups['webapp-green'].desired).toBe(0);
  }, 120_000);

  it('undoing an undo deploys again what the undo replaced', async () => {
    expect((await deployNext()).code).toBe(EXIT_CODES.succeeded);
    expect((await ops('undo', '--window-minutes', '0', '--wait', ...SM())).code).toBe(0);

    const run = await ops('undo', ...SM());

    expect(run.code).toBe(0);
    expect(run.err[0]).toContain(`Undo: deploying ${DEFAULT_AMIS.next}`);
    expect(world.service.executions).toHaveLength(3);
  }, 120_000);

  it('refuses when no deployment succeeded yet, starting nothing (exit 1, JSON says why)', async () => {
    const run = await ops('undo', '--output', 'json', ...SM());

    expect(run.code).toBe(EXIT_CODES.error);
    expect(JSON.parse(run.out.join('\n'))).toMatchObject({
      outcome: 'error',
      reason: expect.stringContaining('No successful deployment is on record'),
    });
    expect(world.service.executions).toHaveLength(0);
  }, 60_000);

  it('refuses while a deployment is running, naming it', async () => {
    const started = await ops('deploy', '--ami', DEFAULT_AMIS.next, ...SM());
    expect(started.code).toBe(0);

    const run = await ops('undo', ...SM());

    expect(run.code).toBe(EXIT_CODES.error);
    expect(run.err[0]).toContain('A deployment is running');
    expect(world.service.executions).toHaveLength(1);
  }, 60_000);

  it('refuses when the previous AMI was disabled, with the command that re-enables it', async () => {
    expect((await deployNext()).code).toBe(EXIT_CODES.succeeded);
    await new EC2Client({ region: environment.region }).send(
      new DisableImageCommand({ ImageId: DEFAULT_AMIS.current }),
    );

    const run = await ops('undo', ...SM());

    expect(run.code).toBe(EXIT_CODES.error);
    expect(run.err[0]).toContain(`${DEFAULT_AMIS.current}, is disabled`);
    expect(run.err[0]).toContain(`aws ec2 enable-image --image-id ${DEFAULT_AMIS.current}`);
    expect(world.service.executions).toHaveLength(1);
  }, 120_000);

  it('passes over a deployment that changed nothing (already serving): it is no success to undo', async () => {
    const skipped = await ops('deploy', '--ami', DEFAULT_AMIS.current, '--wait', ...SM());
    expect(skipped.code).toBe(EXIT_CODES['already-serving']);

    const run = await ops('undo', ...SM());

    expect(run.code).toBe(EXIT_CODES.error);
    expect(run.err[0]).toContain('No successful deployment is on record');
  }, 60_000);

  it('--interval without --wait is a usage error', async () => {
    const run = await ops('undo', '--interval', '5', ...SM());
    expect(run.code).toBe(EXIT_CODES['usage-error']);
  });
});
