import { handler as checkTrafficAndAlarms } from '../../lambdas/check-traffic-and-alarms/handler';
import * as elb from '../../lambdas/shared/aws/elb';
import { settingsSchema } from '../../lambdas/shared/settings';
import { createHarness, type Harness } from '../simulator/account/harness';
import { AUTHENTICATE_OIDC } from '../support/listener-actions';

/**
 * Found in review: the command the pre-flight prints to fix a listener left weighted drops everything but the
 * forward.
 *
 * A deployment by weight stopped with the recovery off (or whose recovery failed) leaves the production
 * listener forwarding to the synthetic target group. The next deployment's pre-flight refuses it, rightly,
 * and prints "the command that fixes it": `aws elbv2 modify-listener --default-actions
 * Type=forward,TargetGroupArn=<main>`. ModifyListener replaces the whole list of default actions, so on a
 * listener that authenticates first (authenticate-oidc or authenticate-cognito, a case r5 made the shift
 * support) the operator who runs it removes the authentication from production: every user reaches the
 * application unauthenticated. Stickiness and a fixed order go the same way. The same command is printed
 * by plan-traffic-shift's refusal. The recorded default actions are not in the account any more (the
 * stopped execution's state has them), so a safe fix names the forward alone to change, or prints the
 * actions as they are with only the synthetic target group removed.
 */

let h: Harness;
afterEach(() => {
  jest.restoreAllMocks();
  h.dispose();
});

it('the printed modify-listener keeps the authenticate-oidc action in front of the forward', async () => {
  h = createHarness({});
  // As a by-weight shift leaves an authenticating listener at its 10 % share. The simulated load balancer
  // models forward actions only, so DescribeListeners' answer for this listener is given here as AWS gives
  // it (no ClientSecret), the rest of the account as simulated.
  const [listener] = await elb.listenersOf(h.account.alb.arn);
  jest.spyOn(elb, 'listenersOf').mockResolvedValue([
    {
      ...listener,
      DefaultActions: [
        AUTHENTICATE_OIDC,
        {
          Type: 'forward',
          Order: 2,
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: h.main, Weight: 90 },
              { TargetGroupArn: h.synthetic, Weight: 10 },
            ],
          },
        },
      ],
    },
  ]);
  const configured = settingsSchema.parse({
    applicationName: 'webapp',
    groups: { blue: h.blue, green: h.green },
    targetGroups: { main: h.main, synthetic: h.synthetic },
    amiSelector: { tag: { key: 'Application', value: 'webapp' } },
    syntheticChecks: { endpoint: 'http://alb.example', checks: [{ path: '/' }] },
    monitoring: { alarmNames: h.environment.alarms.map((alarm) => alarm.name) },
  });
  const { problems } = await checkTrafficAndAlarms({
    targetGroups: configured.targetGroups,
    syntheticHeader: configured.syntheticChecks.header,
    alarmNames: configured.monitoring.alarmNames,
    shift: configured.shift,
    waits: configured.waits,
  });
  const problem = problems.find((text) => text.startsWith('targetGroups.synthetic'));
  expect(problem).toBeDefined();
  const command = /aws elbv2 modify-listener .*/.exec(problem ?? '')?.[0] ?? '';
  // Before the fix: "aws elbv2 modify-listener --listener-arn … --default-actions Type=forward,TargetGroupArn=…webapp-main"
  // (no authenticate-oidc: running it removes the authentication from production).
  expect(command === '' || command.includes('authenticate-oidc')).toBe(true);
});
