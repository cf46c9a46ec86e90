/**
 * Elastic Load Balancing v2 operations against their API reference pages (docs/aws-facts/
 * load-balancer-targets.md#operations-audited-against-their-api-reference).
 */
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createHarness, rejection, type Harness } from './harness';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

describe('Elastic Load Balancing v2, as its API reference pages say', () => {
  it('DescribeListeners needs a load balancer or listeners', async () => {
    const neither = await rejection(h.elb.send(new DescribeListenersCommand({})));
    expect(neither.name).toBe('ValidationError');
    const byListener = await h.elb.send(
      new DescribeListenersCommand({ ListenerArns: [h.environment.loadBalancer.listenerArn ?? ''] }),
    );
    expect(byListener.Listeners).toHaveLength(1);
  });

  it('DescribeRules needs a listener or rules, finds rules by ARN, and names an unknown rule', async () => {
    const neither = await rejection(h.elb.send(new DescribeRulesCommand({})));
    expect(neither.name).toBe('ValidationError');

    const all = await h.elb.send(
      new DescribeRulesCommand({ ListenerArn: h.environment.loadBalancer.listenerArn }),
    );
    const first = all.Rules?.[0];
    expect(all.Rules?.length).toBeGreaterThan(1);
    const byArn = await h.elb.send(new DescribeRulesCommand({ RuleArns: [first?.RuleArn ?? ''] }));
    expect(byArn.Rules).toEqual([first]);

    const unknownArn = `${first?.RuleArn ?? ''}ff`;
    const unknown = await rejection(h.elb.send(new DescribeRulesCommand({ RuleArns: [unknownArn] })));
    expect(unknown.name).toBe('RuleNotFoundException');
  });

  const tooLarge: [string, (h: Harness) => Promise<unknown>][] = [
    ['DescribeTargetGroups', (h) => h.elb.send(new DescribeTargetGroupsCommand({ PageSize: 401 }))],
    ['DescribeLoadBalancers', (h) => h.elb.send(new DescribeLoadBalancersCommand({ PageSize: 0 }))],
    [
      'DescribeListeners',
      (h) =>
        h.elb.send(
          new DescribeListenersCommand({ LoadBalancerArn: h.environment.loadBalancer.arn, PageSize: 401 }),
        ),
    ],
    [
      'DescribeRules',
      (h) =>
        h.elb.send(
          new DescribeRulesCommand({ ListenerArn: h.environment.loadBalancer.listenerArn, PageSize: 401 }),
        ),
    ],
  ];
  it.each(tooLarge)('%s takes PageSize from 1 to 400', async (_operation, call) => {
    expect((await rejection(call(h))).name).toBe('ValidationError');
  });

  it('DescribeLoadBalancers takes up to 20 load balancer ARNs', async () => {
    const arns = Array.from({ length: 21 }, () => h.environment.loadBalancer.arn);
    const error = await rejection(h.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: arns })));
    expect(error.name).toBe('ValidationError');
    const one = await h.elb.send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [h.environment.loadBalancer.arn] }),
    );
    expect(one.LoadBalancers).toHaveLength(1);
  });
});
