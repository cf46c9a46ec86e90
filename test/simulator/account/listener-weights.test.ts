import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  ModifyListenerCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DEFAULT_AMIS } from '../../../simulator/account';
import { actingAs } from '../../../simulator/account/iam/principal';
import { InvariantMonitor } from '../../../simulator/engine/invariants';
import { unsettledProblems } from '../../../simulator/engine/settled';
import {
  createHarness,
  denying,
  greenOnSynthetic as greenOnSyntheticOf,
  rejection,
  targetGroupArn,
  withTargetGroups,
  type Harness,
  type HarnessOptions,
} from './harness';

describe('the listener default action: ModifyListener and weighted forwarding', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  const listenerArn = (): string => h.account.alb.listenerArn;
  const weighted = (...groups: [string, number][]): Action[] => [
    {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: groups.map(([arn, weight]) => ({ TargetGroupArn: arn, Weight: weight })),
      },
    },
  ];
  const modify = (DefaultActions: Action[]) =>
    h.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn(), DefaultActions }));
  const describedActions = async (): Promise<Action[] | undefined> =>
    (await h.elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn()] }))).Listeners?.[0]
      ?.DefaultActions;
  const defaultRuleActions = async (): Promise<Action[] | undefined> =>
    (await h.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn() }))).Rules?.find(
      (rule) => rule.IsDefault,
    )?.Actions;

  /** Green on the new version, InService and healthy in the synthetic target group. */
  async function greenOnSynthetic(options: HarnessOptions = {}): Promise<void> {
    h = createHarness(options);
    await greenOnSyntheticOf(h);
  }

  /** Sends `count` user requests; the target groups they went to, in order. */
  const userRequests = (count: number): string[] =>
    Array.from({ length: count }, () => h.account.alb.request({ path: '/' }).targetGroupArn);
  const tally = (arns: string[]): Record<string, number> =>
    arns.reduce<Record<string, number>>((counts, arn) => ({ ...counts, [arn]: (counts[arn] ?? 0) + 1 }), {});
  const requestCount = (arn: string): number | undefined =>
    h.account['metrics'].statistic(arn, 'RequestCount', 'Sum', 0, Date.now() + 60_000);

  describe('describe', () => {
    it('starts as the listener created with the main target group: TargetGroupArn and a weight-1 ForwardConfig', async () => {
      h = createHarness();
      const plain: Action[] = [
        {
          Type: 'forward',
          TargetGroupArn: h.main,
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: h.main, Weight: 1 }] },
        },
      ];
      expect(await describedActions()).toEqual(plain);
      expect(await defaultRuleActions()).toEqual(plain);
      expect(h.account.alb.defaultActions()).toEqual(plain);
      expect(h.account.snapshot().listener).toEqual({ arn: listenerArn(), defaultActions: plain });
    });

    it('returns the weighted forward as set, from ModifyListener, DescribeListeners and the default rule', async () => {
      h = createHarness();
      const actions: Action[] = [
        {
          Type: 'forward',
          Order: 1,
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: h.main, Weight: 90 },
              { TargetGroupArn: h.synthetic, Weight: 10 },
            ],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
          },
        },
      ];
      const answer = await modify(actions);
      expect(answer.Listeners).toEqual([
        {
          ListenerArn: listenerArn(),
          LoadBalancerArn: h.environment.loadBalancer.arn,
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: actions,
        },
      ]);
      expect(await describedActions()).toEqual(actions);
      expect(await defaultRuleActions()).toEqual(actions);
      expect(h.account.snapshot().listener.defaultActions).toEqual(actions);
    });

    it('fills TargetGroupArn for a ForwardConfig with one target group (UNCONFIRMED) and weight 1 when none is given', async () => {
      h = createHarness();
      await modify([{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: h.synthetic }] } }]);
      expect(await describedActions()).toEqual([
        {
          Type: 'forward',
          TargetGroupArn: h.synthetic,
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: h.synthetic, Weight: 1 }] },
        },
      ]);
    });

    it('restores exactly what DescribeListeners returned before the shift', async () => {
      h = createHarness();
      const before = await describedActions();
      const snapshot = h.account.snapshot();
      await modify(weighted([h.main, 50], [h.synthetic, 50]));
      expect(await describedActions()).not.toEqual(before);
      await modify(before ?? []);
      expect(await describedActions()).toEqual(before);
      expect(h.account.snapshot()).toEqual({ ...snapshot, now: Date.now() });
    });

    it('leaves the default actions unchanged when only an unchanged port and protocol are given', async () => {
      h = createHarness();
      const before = await describedActions();
      await h.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn(), Port: 80, Protocol: 'HTTP' }));
      expect(await describedActions()).toEqual(before);
    });
  });

  describe('validation', () => {
    beforeEach(() => {
      h = createHarness({ customize: (environment) => withTargetGroups(environment, 5) });
    });

    const refusals: [string, () => Action[], string, RegExp][] = [
      [
        'more than 5 target groups in one action',
        () => weighted([h.main, 1], ...[1, 2, 3, 4, 5].map((i): [string, number] => [targetGroupArn(i), 1])),
        'InvalidLoadBalancerActionException',
        /at most 5 target groups/,
      ],
      ['a weight above 999', () => weighted([h.main, 1000]), 'ValidationError', /between 0 and 999/],
      [
        'a negative weight',
        () => weighted([h.main, 99], [h.synthetic, -1]),
        'ValidationError',
        /between 0 and 999/,
      ],
      [
        'a target group named twice',
        () => weighted([h.main, 1], [h.main, 2]),
        'InvalidLoadBalancerActionException',
        /only once/,
      ],
      [
        'TargetGroupArn with a ForwardConfig of two target groups',
        () => [{ ...weighted([h.main, 1], [h.synthetic, 1])[0], TargetGroupArn: h.main }],
        'InvalidLoadBalancerActionException',
        /exactly that one target group/,
      ],
      [
        'TargetGroupArn with a ForwardConfig naming another target group',
        () => [{ ...weighted([h.synthetic, 1])[0], TargetGroupArn: h.main }],
        'InvalidLoadBalancerActionException',
        /exactly that one target group/,
      ],
      [
        'a forward action naming no target group',
        () => [{ Type: 'forward' }],
        'InvalidLoadBalancerActionException',
        /target group ARN or a forward configuration/,
      ],
      [
        'two forward actions',
        () => [...weighted([h.main, 1]), ...weighted([h.synthetic, 1])],
        'InvalidLoadBalancerActionException',
        /only one forward action/,
      ],
      ['no action', () => [], 'ValidationError', /at least one default action/],
      [
        'a target group that does not exist',
        () => weighted([h.main, 9], [h.main.replace('/webapp-', '/missing-'), 1]),
        'TargetGroupNotFoundException',
        /not found/,
      ],
      [
        'stickiness enabled without a duration',
        () => [
          {
            Type: 'forward',
            TargetGroupArn: h.main,
            ForwardConfig: {
              TargetGroups: [{ TargetGroupArn: h.main, Weight: 1 }],
              TargetGroupStickinessConfig: { Enabled: true },
            },
          },
        ],
        'ValidationError',
        /DurationSeconds is required/,
      ],
      [
        'a stickiness duration over 7 days',
        () => [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [{ TargetGroupArn: h.main, Weight: 1 }],
              TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 604_801 },
            },
          },
        ],
        'ValidationError',
        /between 1 and 604800/,
      ],
      [
        'an Order of 0',
        () => [{ ...weighted([h.main, 1])[0], Order: 0 }],
        'ValidationError',
        /between 1 and 50000/,
      ],
      [
        'an unknown action type',
        () => [{ Type: 'teleport' as Action['Type'], TargetGroupArn: h.main }],
        'ValidationError',
        /enum value set/,
      ],
    ];

    it.each(refusals.map(([what, actions, name, message]) => [what, name, message, actions] as const))(
      'refuses %s with %s and changes nothing',
      async (_, name, message, actions) => {
        const before = await describedActions();
        const error = await rejection(modify(actions()));
        expect([error.name, error.$metadata?.httpStatusCode]).toEqual([name, 400]);
        expect(error.message).toMatch(message);
        expect(await describedActions()).toEqual(before);
      },
    );

    it('accepts 5 target groups, weights 0 and 999', async () => {
      const actions = weighted(
        [h.main, 999],
        [h.synthetic, 0],
        ...[1, 2, 3].map((i): [string, number] => [targetGroupArn(i), i]),
      );
      await modify(actions);
      expect(await describedActions()).toEqual(actions);
    });

    it('refuses an unknown listener with ListenerNotFound', async () => {
      const error = await rejection(
        h.elb.send(
          new ModifyListenerCommand({
            ListenerArn: `${listenerArn()}0`,
            DefaultActions: weighted([h.main, 1]),
          }),
        ),
      );
      expect(error.name).toBe('ListenerNotFoundException');
    });

    it('refuses loudly what it does not model: other action types, a new port, protocol or certificates', async () => {
      await expect(
        modify([{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }]),
      ).rejects.toThrow(/models only forward default actions/);
      await expect(
        h.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn(), Port: 8080 })),
      ).rejects.toThrow(/models only ModifyListener's DefaultActions.*Port/);
      await expect(
        h.elb.send(
          new ModifyListenerCommand({
            ListenerArn: listenerArn(),
            Protocol: 'HTTPS',
            Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x' }],
          }),
        ),
      ).rejects.toThrow(/Protocol, Certificates/);
    });
  });

  describe('routing', () => {
    it('sends exactly 900 of 1,000 user requests to main and 100 to synthetic at weights 90/10, within one of 10% over any window', async () => {
      await greenOnSynthetic();
      await modify(weighted([h.main, 90], [h.synthetic, 10]));
      const sent = userRequests(1000);
      expect(tally(sent)).toEqual({ [h.main]: 900, [h.synthetic]: 100 });
      for (let start = 0; start + 50 <= sent.length; start += 7) {
        const share = sent.slice(start, start + 50).filter((arn) => arn === h.synthetic).length;
        expect(Math.abs(share - 5)).toBeLessThanOrEqual(1);
      }
      expect([requestCount(h.main), requestCount(h.synthetic)]).toEqual([900, 100]);
    });

    it('answers each user request from the version of the target group it went to', async () => {
      await greenOnSynthetic();
      await modify(weighted([h.main, 1], [h.synthetic, 3]));
      const answers = Array.from({ length: 8 }, () => h.account.alb.request({ path: '/' }));
      for (const answer of answers) {
        expect([answer.status, answer.version]).toEqual([
          200,
          answer.targetGroupArn === h.main ? DEFAULT_AMIS.current : DEFAULT_AMIS.next,
        ]);
      }
      expect(tally(answers.map((answer) => answer.targetGroupArn))).toEqual({
        [h.main]: 2,
        [h.synthetic]: 6,
      });
    });

    it('gives a weight of 0 nothing, and keeps header rules ahead of the default action', async () => {
      await greenOnSynthetic();
      await modify(weighted([h.main, 1], [h.synthetic, 0]));
      expect(tally(userRequests(100))).toEqual({ [h.main]: 100 });
      await modify(weighted([h.main, 0], [h.synthetic, 1]));
      expect(tally(userRequests(10))).toEqual({ [h.synthetic]: 10 });
      const synthetic = h.account.alb.request({ path: '/', headers: { Synthetic: 'true' } });
      expect(synthetic.targetGroupArn).toBe(h.synthetic);
      await modify(weighted([h.main, 1], [h.synthetic, 0]));
      expect(h.account.alb.request({ path: '/', headers: { Synthetic: 'true' } }).targetGroupArn).toBe(
        h.synthetic,
      );
    });

    it('answers 503 from the load balancer when every weight is 0 (UNCONFIRMED)', async () => {
      await greenOnSynthetic();
      await modify(weighted([h.main, 0], [h.synthetic, 0]));
      const answer = h.account.alb.request({ path: '/' });
      expect([answer.status, answer.outcome, answer.targetGroupArn]).toEqual([503, 'failed', h.main]);
      expect(
        h.account['metrics'].statistic(
          h.environment.loadBalancer.arn,
          'HTTPCode_ELB_5XX_Count',
          'Sum',
          0,
          Date.now() + 60_000,
        ),
      ).toBe(1);
    });

    it('does not fall back to another target group when the chosen one has no target: 503 (UNCONFIRMED)', async () => {
      h = createHarness({ customize: (environment) => withTargetGroups(environment, 1) });
      await modify(weighted([h.main, 1], [targetGroupArn(1), 1]));
      const answers = Array.from({ length: 10 }, () => h.account.alb.request({ path: '/' }));
      expect(answers.map((answer) => answer.status).sort()).toEqual([
        ...Array(5).fill(200),
        ...Array(5).fill(503),
      ]);
      expect(
        answers
          .filter((answer) => answer.status === 503)
          .every((a) => a.targetGroupArn === targetGroupArn(1)),
      ).toBe(true);
    });

    it('starts a version’s errorsFromMinuteAfterShift clock at the first user request the weights send it', async () => {
      await greenOnSynthetic({ newVersion: { errorRate: 1, errorsFromMinuteAfterShift: 1 } });
      const synthetic = () => h.account.alb.request({ path: '/', headers: { Synthetic: 'True' } }).status;
      h.run(120);
      // Synthetic checks are not user traffic: the clock has not started.
      expect(synthetic()).toBe(200);
      await modify(weighted([h.main, 90], [h.synthetic, 10]));
      userRequests(10);
      h.run(59);
      expect(synthetic()).toBe(200);
      h.run(1);
      expect(synthetic()).toBe(500);
    });
  });

  describe('what the simulation checks of a deployment', () => {
    it('a rejected deployment that left the listener weighted changed the account (I8)', async () => {
      h = createHarness();
      const monitor = new InvariantMonitor(h.account.snapshot(), h.main);
      await modify(weighted([h.main, 90], [h.synthetic, 10]));
      monitor.checkUnchanged(h.account.snapshot(), 60);
      expect(monitor.violations.map((violation) => violation.invariant)).toEqual(['I8']);
    });

    it('a deployment that did not restore the default action leaves the account unsettled', async () => {
      h = createHarness();
      const initial = h.account.snapshot();
      await modify(weighted([h.main, 90], [h.synthetic, 10]));
      expect(unsettledProblems(initial, h.account.snapshot(), h.environment)).toEqual([
        'the listener default actions are not as they were before the deployment',
      ]);
      await modify(initial.listener.defaultActions);
      expect(unsettledProblems(initial, h.account.snapshot(), h.environment)).toEqual([]);
    });
  });

  describe('IAM', () => {
    it('refuses ModifyListener without elasticloadbalancing:ModifyListener', async () => {
      h = createHarness();
      const error = await rejection(
        denying(['elasticloadbalancing:ModifyListener'], () =>
          modify(weighted([h.main, 9], [h.synthetic, 1])),
        ),
      );
      expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 403]);
      expect(error.message).toContain('elasticloadbalancing:ModifyListener');
    });

    it('authorizes ModifyListener on the listener only, not on the target groups it names', async () => {
      h = createHarness();
      const onListener = {
        name: 'shift-traffic',
        sessionArn: 'arn:aws:sts::123456789012:assumed-role/ShiftRole/shift-traffic',
        policies: [
          {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow' as const,
                Action: 'elasticloadbalancing:ModifyListener',
                Resource: listenerArn(),
              },
            ],
          },
        ],
      };
      await expect(
        actingAs(onListener, () => modify(weighted([h.main, 9], [h.synthetic, 1]))),
      ).resolves.toBeDefined();
      const elsewhere = {
        ...onListener,
        policies: [
          {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow' as const, Action: 'elasticloadbalancing:ModifyListener', Resource: h.main },
            ],
          },
        ],
      };
      await expect(actingAs(elsewhere, () => modify(weighted([h.main, 1])))).rejects.toThrow(
        /not authorized/,
      );
    });
  });
});
