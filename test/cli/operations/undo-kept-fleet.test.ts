import { EXIT_CODES } from '../../../cli/operations/exit-codes';
import type { Io } from '../../../cli/operations/io';
import { runOps } from '../../../cli/operations/ops';
import { KEEP_STATES, OPERATOR_REQUEST_TAG } from '../../../lambdas/shared/contract';
import { DEFAULT_AMIS, defaultEnvironment } from '../../../simulator/account/environment';
import { useSimulatedStateMachine } from '../../support/simulated-state-machine';

/**
 * `npm run ops -- undo` while a deployment keeps its old fleet in Standby (keepOldFleetMinutes, issue 12,
 * item 5): the undo is a request on the new group, the kept fleet serves again, and nothing is launched.
 * `npm run ops -- release` ends a keep early (item 7). The undone fleet is kept for debugging
 * (keepFailedFleetMinutes) as any rolled-back fleet is.
 */
const environment = defaultEnvironment();
const world = useSimulatedStateMachine(environment, {
  keepOldFleetMinutes: 30,
  keepFailedFleetMinutes: 60,
});

interface Run {
  code: number;
  out: string[];
  err: string[];
}

function io(run: Run): Io {
  return {
    out: (line) => run.out.push(line),
    err: (line) => run.err.push(line),
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  };
}

async function ops(...argv: string[]): Promise<Run> {
  const run: Run = { code: -1, out: [], err: [] };
  let done = false;
  const promise = runOps(argv, io(run)).then((code) => {
    done = true;
    run.code = code;
  });
  await world.runUntil(() => done);
  await promise;
  return run;
}

const SM = () => ['--state-machine-arn', world.workflow.stateMachineArn];
const inKeep = () => world.service.executions[0]?.currentState?.startsWith(KEEP_STATES.oldFleetWait) ?? false;
const instanceIds = (group: string) =>
  world.account.snapshot().groups[group].instances.map((instance) => instance.id);

describe('npm run ops -- undo while the old fleet is kept', () => {
  it('tags the new group, and the kept fleet serves again with the same instances: rolled back, nothing launched', async () => {
    expect((await ops('deploy', '--ami', DEFAULT_AMIS.next, '--window-minutes', '0', ...SM())).code).toBe(0);
    await world.runUntil(inKeep);
    const kept = instanceIds('webapp-blue');

    const run = await ops('undo', '--wait', '--output', 'json', ...SM());

    expect(run.err[0]).toMatch(
      new RegExp(
        `^Undo: .* keeps the old fleet webapp-blue in Standby: tagged webapp-green with ${OPERATOR_REQUEST_TAG}=undo`,
      ),
    );
    expect(run.code).toBe(EXIT_CODES['rolled-back']);
    expect(JSON.parse(run.out.join('\n'))).toMatchObject({
      outcome: 'rolled-back',
      activeGroup: 'webapp-blue',
      reason: expect.stringContaining('An operator asked to undo the deployment'),
    });
    // No second execution, no new instance: the same three instances serve.
    expect(world.service.executions).toHaveLength(1);
    const blue = world.account.snapshot().groups['webapp-blue'];
    expect(blue.instances.map((instance) => instance.id)).toEqual(kept);
    expect(blue.instances.every((instance) => instance.lifecycleState === 'InService')).toBe(true);
    expect(world.account.snapshot().groups['webapp-green'].desired).toBe(0);
  }, 120_000);

  it('without --wait: prints the execution and exits 0 once the request is set; the keep then rolls back', async () => {
    expect((await ops('deploy', '--ami', DEFAULT_AMIS.next, '--window-minutes', '0', ...SM())).code).toBe(0);
    await world.runUntil(inKeep);

    const run = await ops('undo', ...SM());

    expect(run.code).toBe(0);
    expect(run.out).toEqual([world.service.executions[0].arn]);
    await world.runUntil(() => world.service.executions[0].status !== 'RUNNING');
    expect(world.service.executions[0].error).toBe('DeploymentRolledBack');
  }, 120_000);

  it('before the keep (the window still open) it refuses: a running deployment keeps no fleet yet', async () => {
    expect((await ops('deploy', '--ami', DEFAULT_AMIS.next, ...SM())).code).toBe(0);

    const run = await ops('undo', ...SM());

    expect(run.code).toBe(EXIT_CODES.error);
    expect(run.err[0]).toContain('keeps no old fleet for an undo');
  }, 60_000);

  it('release during the old fleet’s keep ends it: the finish retires the old fleet, the deployment succeeds', async () => {
    expect((await ops('deploy', '--ami', DEFAULT_AMIS.next, '--window-minutes', '0', ...SM())).code).toBe(0);
    await world.runUntil(inKeep);
    const keptAt = world.clock.elapsedSeconds();

    const run = await ops('release', ...SM());

    expect(run.code).toBe(0);
    expect(run.out[0]).toContain(`Tagged webapp-green with ${OPERATOR_REQUEST_TAG}=release`);
    expect(run.out[0]).toContain('the old fleet webapp-blue is retired');
    await world.runUntil(() => world.service.executions[0].status !== 'RUNNING');
    expect(world.service.executions[0].status).toBe('SUCCEEDED');
    // Well before the 30 minutes of the keep.
    expect(world.clock.elapsedSeconds() - keptAt).toBeLessThan(5 * 60);
    expect(world.account.snapshot().groups['webapp-blue'].desired).toBe(0);
  }, 120_000);

  it('release after an undo ends the undone fleet’s keep for debugging: it is scaled to zero at once', async () => {
    expect((await ops('deploy', '--ami', DEFAULT_AMIS.next, '--window-minutes', '0', ...SM())).code).toBe(0);
    await world.runUntil(inKeep);
    expect((await ops('undo', ...SM())).code).toBe(0);
    await world.runUntil(
      () =>
        world.service.executions[0].currentState?.startsWith(KEEP_STATES.failedFleetAfterRollback) ?? false,
    );
    const green = world.account.snapshot().groups['webapp-green'];
    expect(green.instances.filter((instance) => instance.lifecycleState === 'InService')).toHaveLength(3);
    const keptAt = world.clock.elapsedSeconds();
    // An undo now would undo the last success, still serving: it says so, and how to go on.
    const again = await ops('undo', ...SM());
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toMatch(
      /keeps its new fleet webapp-green for debugging: what serves is still the last success\. Nothing was started\. End the keep first \(npm run ops -- release\)/,
    );

    const run = await ops('release', '--output', 'json', ...SM());

    expect(run.code).toBe(0);
    expect(JSON.parse(run.out.join('\n'))).toMatchObject({
      request: 'release',
      purpose: 'debug',
      keptGroup: 'webapp-green',
    });
    await world.runUntil(() => world.service.executions[0].status !== 'RUNNING');
    expect(world.service.executions[0].error).toBe('DeploymentRolledBack');
    expect(world.clock.elapsedSeconds() - keptAt).toBeLessThan(5 * 60);
    expect(world.account.snapshot().groups['webapp-green'].desired).toBe(0);
  }, 120_000);

  it('release refuses when nothing is kept, changing nothing', async () => {
    const run = await ops('release', ...SM());
    expect(run.code).toBe(EXIT_CODES.error);
    expect(run.err[0]).toContain('is keeping a fleet');
  });
});
