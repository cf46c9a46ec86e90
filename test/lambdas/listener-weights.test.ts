import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  forwardToMainAlone,
  resendable,
  sameActions,
  weightedActions,
} from '../../lambdas/shared/listener-weights';
import { AUTHENTICATE_OIDC } from '../support/listener-actions';

/**
 * A production HTTPS listener that authenticates (authenticate-oidc) before it forwards (found in review).
 * DescribeListeners never returns the OIDC client secret, and ModifyListener requires it unless
 * UseExistingClientSecret is true: "ClientSecret: The OAuth 2.0 client secret. This parameter is required if
 * you are creating a rule. If you are modifying a rule, you can omit this parameter if you set
 * UseExistingClientSecret to true." (API_AuthenticateOidcActionConfig,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AuthenticateOidcActionConfig.html).
 * weightedActions passes the described authentication action through unchanged, so on real AWS every shift
 * by weight on such a listener fails at its first share (and the recorded actions that restore-listeners
 * sends back carry the same omission). The plan and the pre-flight accept the listener.
 */

const main = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/webapp-main/0123456789abcdef';
const synthetic =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/webapp-synthetic/fedcba9876543210';

/** As DescribeListeners gives an authenticating listener: no ClientSecret, no UseExistingClientSecret. */
const described: Action[] = [
  AUTHENTICATE_OIDC,
  {
    Type: 'forward',
    Order: 2,
    TargetGroupArn: main,
    ForwardConfig: { TargetGroups: [{ TargetGroupArn: main, Weight: 1 }] },
  },
];

describe('a shift by weight on a listener that authenticates with OIDC first', () => {
  it('the weighted default actions ModifyListener receives can keep the existing client secret', () => {
    const actions = weightedActions(described, { main, synthetic }, 10);
    const oidc = actions.find((action) => action.Type === 'authenticate-oidc')?.AuthenticateOidcConfig;
    // ModifyListener refuses an OIDC action with neither ClientSecret nor UseExistingClientSecret: true.
    expect(oidc?.ClientSecret !== undefined || oidc?.UseExistingClientSecret === true).toBe(true);
  });

  it('the recorded actions go back keeping the secret too, and still compare equal to what was described', () => {
    const restored = resendable(described);
    expect(restored[0]?.AuthenticateOidcConfig?.UseExistingClientSecret).toBe(true);
    expect(sameActions(restored, described)).toBe(true);
    // The forward and its order are kept as they were; only the weights differ while the shift runs.
    expect(sameActions(weightedActions(described, { main, synthetic }, 10), described)).toBe(false);
    expect(weightedActions(described, { main, synthetic }, 10)[1]).toMatchObject({
      Type: 'forward',
      Order: 2,
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: main, Weight: 90 },
          { TargetGroupArn: synthetic, Weight: 10 },
        ],
      },
    });
  });

  it('the fix printed for a listener left weighted never drops its authentication (found in review)', () => {
    const listenerArn =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/webapp/0123456789abcdef/0123456789abcdef';
    const fix = forwardToMainAlone(listenerArn, weightedActions(described, { main, synthetic }, 10), main);
    expect(fix).not.toMatch(/modify-listener/);
    expect(fix).toMatch(/keeping its other actions .*aws elbv2 describe-listeners --listener-arns \S+/);
    // A plain forward has nothing else to lose: the command is printed.
    expect(forwardToMainAlone(listenerArn, [described[1] as Action], main)).toBe(
      `aws elbv2 modify-listener --listener-arn ${listenerArn} --default-actions Type=forward,TargetGroupArn=${main}`,
    );
  });
});
