import { deploy, parseDeployOptions } from '../../cli/operations/deploy';
import { parseOperatorRequestOptions } from '../../cli/operations/operator-request';
import { rollback } from '../../cli/operations/rollback';
import { status } from '../../cli/operations/status';
import { DEFAULT_AMIS, defaultEnvironment } from '../../simulator/account/environment';
import { groupArguments } from '../support/simulated-deployment';
import { useSimulatedStateMachine } from '../support/simulated-state-machine';
import { recordingIo } from '../support/recording-io';

/**
 * Found in review: the operator commands on the real state machine while a canary bakes by weight (the same
 * harness as test/cli/operations/end-to-end.test.ts, configured with a canary by weight). See
 * ops-during-bake-by-weight.test.ts for the unit form and the reason.
 */
const environment = defaultEnvironment();
const BAKE = 'Bake new share';
const world = useSimulatedStateMachine(environment, {
  shift: { mode: 'canary', split: 'weight', canaryPercent: 10, bakeMinutes: 30 },
});
const groupOptions = parseOperatorRequestOptions(groupArguments(environment));

const baking = () => world.service.executions[0]?.currentState?.startsWith(BAKE) ?? false;

async function startAndBake(): Promise<void> {
  const stateMachine = ['--state-machine-arn', world.workflow.stateMachineArn];
  expect(
    await deploy(parseDeployOptions(['--ami', DEFAULT_AMIS.next, ...stateMachine]), recordingIo().io),
  ).toBe(0);
  await world.runUntil(baking);
  await world.clock.advance(5 * 60_000);
  expect(baking()).toBe(true);
}

describe('npm run ops while a 10 % canary by weight bakes (30-minute bake)', () => {
  it('rollback is taken and the deployment rolls back', async () => {
    await startAndBake();
    // Before the fix: rejects with "The deployment to webapp-green has not reached its rollback window … (the new
    // version is still being proven) … Run it again once traffic has shifted", while 10 % of production
    // is on the new version for another 25 minutes.
    await expect(rollback(groupOptions, recordingIo().io)).resolves.toBe(0);
    await world.runUntil(() => world.service.executions[0].status !== 'RUNNING');
    expect(world.account.snapshot().groups['webapp-green'].desired).toBe(0);
  }, 120_000);

  it('status says which share bakes, and does not call the bake the rollback window', async () => {
    await startAndBake();
    const { io, out } = recordingIo();
    await status({ execution: { latestOf: world.workflow.stateMachineArn }, output: 'json' }, io);
    const json = JSON.parse(out.join('\n')) as Record<string, unknown>;
    // Before the fix: {"step":"Bake new share","progress":"5 of 30 minutes: no alarm …","windowRemainingSeconds":1500}:
    // no share named, and the bake's remaining time given as the rollback window's.
    expect(`${String(json.step)} ${String(json.progress)}`).toMatch(/10 ?%/);
    expect(json.windowRemainingSeconds).toBeNull();
  }, 120_000);
});
