import { deploy, parseDeployOptions } from '../../../cli/operations/deploy';
import { EXIT_CODES } from '../../../cli/operations/exit-codes';
import { parseOperatorRequestOptions } from '../../../cli/operations/operator-request';
import { promote } from '../../../cli/operations/promote';
import { rollback } from '../../../cli/operations/rollback';
import { status } from '../../../cli/operations/status';
import { watch } from '../../../cli/operations/watch';
import { DEFAULT_AMIS, defaultEnvironment } from '../../../simulator/account/environment';
import { groupArguments } from '../../support/simulated-deployment';
import { useSimulatedStateMachine } from '../../support/simulated-state-machine';
import { recordingIo } from '../../support/recording-io';

/**
 * The commands against the real state machine (synthesized from the CDK app, as `npm run simulate` runs it,
 * and read from the workflow cache when its sources have not changed) and the simulated account: deploy
 * and watch follow a whole deployment; promote and rollback, run in the middle of the rollback window, are
 * what ends it.
 */
const environment = defaultEnvironment();
const WINDOW = 'Monitor new version during rollback window';
const world = useSimulatedStateMachine(environment);
const groupOptions = parseOperatorRequestOptions(groupArguments(environment));

async function settled<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  const settle = () => (done = true);
  promise.then(settle, settle);
  await world.runUntil(() => done);
  return promise;
}

async function startDeployment(...extra: string[]): Promise<string> {
  const { io, out } = recordingIo();
  const stateMachine = ['--state-machine-arn', world.workflow.stateMachineArn];
  expect(await deploy(parseDeployOptions(['--ami', DEFAULT_AMIS.next, ...stateMachine, ...extra]), io)).toBe(
    0,
  );
  return out[0];
}

const inWindow = () => world.service.executions[0]?.currentState?.startsWith(WINDOW) ?? false;

describe('the commands on the real state machine', () => {
  it('deploy --wait follows a whole deployment step by step and exits 0 when it succeeded', async () => {
    const { io, out, err } = recordingIo();
    const options = parseDeployOptions([
      '--ami',
      DEFAULT_AMIS.next,
      '--window-minutes',
      '5',
      '--state-machine-arn',
      world.workflow.stateMachineArn,
      '--wait',
    ]);

    expect(await settled(deploy(options, io))).toBe(0);

    expect(out).toEqual([world.service.executions[0].arn]);
    const steps = err.filter((line) => line.startsWith('  +')).map((line) => line.slice(13));
    expect(steps).toEqual(
      expect.arrayContaining([
        'Validate deployment request',
        'Wait until new instances are in service',
        'Run synthetic checks',
        WINDOW,
        'Retire old fleet',
        'Deployment succeeded',
      ]),
    );
    // One line per step: the wait loops' inner states never show, and no step repeats back to back.
    expect(steps.filter((step) => / (check|done\?|pause|complete)$/.test(step))).toEqual([]);
    expect(steps.filter((step, index) => step === steps[index - 1])).toEqual([]);
    expect(err).toContain('Outcome    succeeded');
    expect(err.find((line) => line.startsWith('Result'))).toContain(
      `${DEFAULT_AMIS.next} now serves all traffic`,
    );
  }, 60_000);

  it('promote in the middle of the window finishes the deployment early; watch exits 0', async () => {
    const executionArn = await startDeployment();
    await world.runUntil(inWindow);
    await world.clock.advance(5 * 60_000);
    const during = recordingIo();
    await status({ execution: { latestOf: world.workflow.stateMachineArn } }, during.io);
    expect(during.out).toContain(`Step       ${WINDOW}`);

    expect(await promote(groupOptions, recordingIo().io)).toBe(0);
    const { io, out } = recordingIo();
    expect(await settled(watch({ execution: { executionArn }, intervalSeconds: 10 }, io))).toBe(0);

    expect(out).toContain('Outcome    succeeded');
    // Well before the hour the window would otherwise have lasted.
    expect(world.clock.elapsedSeconds()).toBeLessThan(30 * 60);
    expect(world.account.snapshot().groups['webapp-blue'].desired).toBe(0);
  }, 60_000);

  it('rollback in the middle of the window rolls the deployment back; watch exits with its code and says why', async () => {
    const executionArn = await startDeployment();
    await world.runUntil(inWindow);

    expect(await rollback(groupOptions, recordingIo().io)).toBe(0);
    const { io, out } = recordingIo();
    expect(await settled(watch({ execution: { executionArn }, intervalSeconds: 10 }, io))).toBe(
      EXIT_CODES['rolled-back'],
    );

    expect(out).toContain('Outcome    rolled back: the old version serves again');
    expect(out.find((line) => line.startsWith('Reason'))).toContain('An operator asked for a rollback');
    const groups = world.account.snapshot().groups;
    expect(groups['webapp-green'].desired).toBe(0);
    expect(groups['webapp-blue'].instances.filter((i) => i.lifecycleState === 'InService')).toHaveLength(3);
  }, 60_000);

  it('promote after the deployment has finished is refused (no group on the synthetic target group)', async () => {
    await startDeployment('--window-minutes', '0');
    await world.runUntil(() => world.service.executions[0].status !== 'RUNNING');

    await expect(promote(groupOptions, recordingIo().io)).rejects.toThrow(
      'No deployment is in its rollback window',
    );
  }, 60_000);
});
