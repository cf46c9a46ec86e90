import { AttachTrafficSourcesCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseOperatorRequestOptions, requestFromOperator } from '../../../cli/operations/operator-request';
import { OPERATOR_REQUEST_TAG } from '../../../lambdas/shared/contract';
import { SimulatedAccount } from '../../../simulator/account/account';
import { defaultEnvironment } from '../../../simulator/account/environment';
import { VirtualClock } from '../../../simulator/engine/clock';
import { simulate } from '../../../simulator/engine/simulation';
import { recordingIo } from '../../support/recording-io';
import { groupArguments } from '../../support/simulated-deployment';

/**
 * Found in review: `npm run ops -- rollback|promote|abort` while a share bakes by weight.
 *
 * By weight, the new group joins the main target group only at the 100 % share: while the 10 % canary
 * bakes it is attached to the synthetic target group alone and the listener forwards a share of production
 * to it (scenario canary-by-weight, first test). The CLI takes "not on the main target group" for "not
 * shifted yet": it refuses `rollback` and `promote` ("has not reached its rollback window … the new version
 * is still being proven"), and `abort` tells the operator "abort now: production untouched" while users are
 * on the new version. docs/design.md#gradual-shift promises "Rollback during a bake rolls back" and
 * "Promote during a bake ends that bake"; by instances (attached to main from the first share) both work.
 */

const GREEN = 'webapp-green';
const environment = defaultEnvironment();
const MAIN = environment.mainTargetGroup.arn;
const SYNTHETIC = environment.syntheticTargetGroup.arn;
const LISTENER = environment.loadBalancer.listenerArn ?? '';

const explicit = parseOperatorRequestOptions(groupArguments(environment));

describe('the account while the canary bakes by weight (what the CLI reads)', () => {
  it('the new group is on the synthetic target group only, and gets a share of production', async () => {
    const seen: { sources: string[]; share: number }[] = [];
    let baking = false;
    await simulate(
      { scenario: 'canary-by-weight', seed: 1 },
      {
        onStateEntered: (state) => {
          baking = state.startsWith('Bake new share');
        },
        onSecond: (view) => {
          const green = view.account.groups[GREEN];
          if (!baking || !green || seen.length > 0) return;
          const forward = JSON.stringify(view.account.listener.defaultActions);
          seen.push({
            sources: green.trafficSources
              .filter((source) => source.state !== 'Removed')
              .map((source) => source.identifier),
            share: forward.includes(SYNTHETIC) ? 1 : 0,
          });
        },
      },
    );
    expect(seen).toEqual([{ sources: [SYNTHETIC], share: 1 }]);
  }, 60_000);
});

describe('npm run ops during a bake by weight', () => {
  let clock: VirtualClock;
  let account: SimulatedAccount;

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    account = new SimulatedAccount(environment, { seed: 7 });
    account.install();
    // As in the 10 % canary by weight: green proven on the synthetic target group, the listener weighted.
    await new AutoScalingClient({ region: 'us-east-1' }).send(
      new AttachTrafficSourcesCommand({
        AutoScalingGroupName: GREEN,
        TrafficSources: [{ Identifier: SYNTHETIC, Type: 'elbv2' }],
      }),
    );
    await new ElasticLoadBalancingV2Client({ region: 'us-east-1' }).send(
      new ModifyListenerCommand({
        ListenerArn: LISTENER,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: MAIN, Weight: 90 },
                { TargetGroupArn: SYNTHETIC, Weight: 10 },
              ],
            },
          },
        ],
      }),
    );
    await clock.advance(10_000);
  });

  afterEach(() => {
    account.uninstall();
    clock.uninstall();
  });

  const tag = () => account.snapshot().groups[GREEN].tags[OPERATOR_REQUEST_TAG];

  it('rollback is taken (design: "Rollback during a bake rolls back")', async () => {
    // Before the fix: OperationError "The deployment to webapp-green has not reached its rollback window: …
    // not attached to the main target group … yet (the new version is still being proven)".
    await expect(requestFromOperator('rollback', explicit, recordingIo().io)).resolves.toBe(0);
    expect(tag()).toBe('rollback');
  });

  it('promote is taken (design: "Promote during a bake ends that bake")', async () => {
    await expect(requestFromOperator('promote', explicit, recordingIo().io)).resolves.toBe(0);
    expect(tag()).toBe('promote');
  });

  it('abort does not tell the operator production is untouched while 10 % of users are on the new version', async () => {
    const { io, out } = recordingIo();
    expect(await requestFromOperator('abort', explicit, io)).toBe(0);
    // Before the fix: "… the deployment will abort now: production untouched".
    expect(out.join('\n')).not.toMatch('production untouched');
  });
});
