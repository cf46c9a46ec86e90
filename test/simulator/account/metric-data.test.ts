/**
 * CloudWatch GetMetricData over the simulated ALB's metrics (docs/aws-facts/cloudwatch-metrics.md): what users
 * sent through the load balancer comes back per target group, by whole minutes, for the exact dimensions.
 */
import {
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DEFAULT_AMIS } from '../../../simulator/account';
import type { PolicyStatement } from '../../../simulator/account/iam/policy-evaluation';
import { actingAs, type Principal } from '../../../simulator/account/iam/principal';
import { createHarness, greenOnSynthetic, rejection, type Harness } from './harness';

const MINUTE = 60_000;
const LB = 'app/webapp-alb/50dc6c495c0c9188';

let h: Harness;
afterEach(() => h.dispose());

/** The dimension CloudWatch names a target group by: the last part of its ARN. */
const tg = (arn: string) => arn.split(':').pop() as string;

function query(
  id: string,
  metricName: string,
  stat: string,
  dimensions: Record<string, string>,
  more: Partial<MetricDataQuery> = {},
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: metricName,
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: 60,
      Stat: stat,
    },
    ...more,
  };
}

async function get(input: Partial<GetMetricDataCommandInput> & { MetricDataQueries: MetricDataQuery[] }) {
  return await h.cloudWatch.send(
    new GetMetricDataCommand({ StartTime: new Date(0), EndTime: new Date(Date.now() + MINUTE), ...input }),
  );
}

/** Users (10 a second, to the main target group) and synthetic checks (3 a second) for `seconds`. */
function traffic(seconds: number): void {
  h.run(seconds, () => {
    for (let i = 0; i < 10; i++) h.account.alb.request({ path: '/', kind: 'user' });
    for (let i = 0; i < 3; i++) h.account.alb.request({ path: '/', headers: { Synthetic: 'True' } });
  });
}

/** Two whole minutes of traffic, from 2:00 to 4:00, then 30 s more into the fifth minute. */
async function twoMinutesOfTraffic(): Promise<void> {
  h = createHarness({
    customize: (environment) => {
      const next = environment.amis.find((ami) => ami.id === DEFAULT_AMIS.next);
      if (next) next.behaviour = { ...next.behaviour, latencyMs: 50 };
    },
  });
  await greenOnSynthetic(h);
  // `run` moves the clock before each second's requests: the first are sent at 2:00.
  h.run((2 * MINUTE - Date.now()) / 1000 - 1);
  traffic(150);
}

describe('GetMetricData per target group', () => {
  it('sums each target group’s requests by minute, and the load balancer’s over both', async () => {
    await twoMinutesOfTraffic();
    const main = { LoadBalancer: LB, TargetGroup: tg(h.main) };
    const synthetic = { LoadBalancer: LB, TargetGroup: tg(h.synthetic) };
    const answer = await get({
      StartTime: new Date(2 * MINUTE),
      EndTime: new Date(4 * MINUTE),
      MetricDataQueries: [
        query('main', 'RequestCount', 'Sum', main),
        query('synthetic', 'RequestCount', 'Sum', synthetic),
        query('total', 'RequestCount', 'Sum', { LoadBalancer: LB }),
      ],
    });
    const byId = Object.fromEntries((answer.MetricDataResults ?? []).map((result) => [result.Id, result]));
    // Newest first (ScanBy's default, TimestampDescending).
    expect(byId.main?.Timestamps).toEqual([new Date(3 * MINUTE), new Date(2 * MINUTE)]);
    expect(byId.main?.Values).toEqual([600, 600]);
    expect(byId.synthetic?.Values).toEqual([180, 180]);
    expect(byId.total?.Values).toEqual([780, 780]);
    expect(byId.main).toMatchObject({ StatusCode: 'Complete', Label: 'RequestCount' });
  });

  it('gives each version’s response time in seconds: average and sample count per minute', async () => {
    await twoMinutesOfTraffic();
    const answer = await get({
      StartTime: new Date(2 * MINUTE),
      EndTime: new Date(3 * MINUTE),
      MetricDataQueries: [
        query('old_avg', 'TargetResponseTime', 'Average', { LoadBalancer: LB, TargetGroup: tg(h.main) }),
        query('old_n', 'TargetResponseTime', 'SampleCount', { LoadBalancer: LB, TargetGroup: tg(h.main) }),
        query('new_avg', 'TargetResponseTime', 'Average', { LoadBalancer: LB, TargetGroup: tg(h.synthetic) }),
        query('new_p99', 'TargetResponseTime', 'p99', { LoadBalancer: LB, TargetGroup: tg(h.synthetic) }),
        query('new_n', 'TargetResponseTime', 'SampleCount', {
          LoadBalancer: LB,
          TargetGroup: tg(h.synthetic),
        }),
      ],
    });
    const values = Object.fromEntries(
      (answer.MetricDataResults ?? []).map((result) => [result.Id, result.Values]),
    );
    expect(values).toEqual({
      old_avg: [expect.closeTo(0.02, 9)],
      old_n: [600],
      new_avg: [expect.closeTo(0.05, 9)],
      new_p99: [0.05],
      new_n: [180],
    });
  });

  it('returns a minute only once it has ended, and only minutes with data', async () => {
    await twoMinutesOfTraffic();
    // 4:29 now: the minute from 4:00 is under way; before 2:00 nothing was sent.
    const answer = await get({
      StartTime: new Date(0),
      EndTime: new Date(5 * MINUTE),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        query('main', 'RequestCount', 'Sum', { LoadBalancer: LB, TargetGroup: tg(h.main) }),
      ],
    });
    expect(answer.MetricDataResults?.[0]?.Timestamps).toEqual([new Date(2 * MINUTE), new Date(3 * MINUTE)]);
    h.run(31);
    const later = await get({
      StartTime: new Date(4 * MINUTE + 15_000),
      EndTime: new Date(5 * MINUTE),
      MetricDataQueries: [
        query('main', 'RequestCount', 'Sum', { LoadBalancer: LB, TargetGroup: tg(h.main) }),
      ],
    });
    // StartTime is rounded down to the minute: the whole minute from 4:00 (its first 30 s had traffic).
    expect(later.MetricDataResults?.[0]?.Timestamps).toEqual([new Date(4 * MINUTE)]);
    expect(later.MetricDataResults?.[0]?.Values).toEqual([300]);
  });

  it('matches every dimension exactly: a series is its namespace, name and all its dimensions', async () => {
    await twoMinutesOfTraffic();
    const answer = await get({
      StartTime: new Date(2 * MINUTE),
      EndTime: new Date(3 * MINUTE),
      MetricDataQueries: [
        query('tg_only', 'RequestCount', 'Sum', { TargetGroup: tg(h.main) }),
        query('with_az', 'RequestCount', 'Sum', {
          LoadBalancer: LB,
          TargetGroup: tg(h.main),
          AvailabilityZone: 'us-east-1a',
        }),
        query('other_lb', 'RequestCount', 'Sum', { LoadBalancer: 'app/other/0000', TargetGroup: tg(h.main) }),
        query('hosts_lb', 'HealthyHostCount', 'Average', { LoadBalancer: LB }),
        query('hosts', 'HealthyHostCount', 'Average', { LoadBalancer: LB, TargetGroup: tg(h.main) }),
        query(
          'seconds',
          'RequestCount',
          'Sum',
          { LoadBalancer: LB, TargetGroup: tg(h.main) },
          {
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'RequestCount',
                Dimensions: [
                  { Name: 'LoadBalancer', Value: LB },
                  { Name: 'TargetGroup', Value: tg(h.main) },
                ],
              },
              Period: 60,
              Stat: 'Sum',
              Unit: 'Seconds',
            },
          },
        ),
      ],
    });
    const values = Object.fromEntries(
      (answer.MetricDataResults ?? []).map((result) => [result.Id, result.Values]),
    );
    expect(values).toEqual({
      tg_only: [],
      with_az: [],
      other_lb: [],
      hosts_lb: [],
      // The blue fleet's instances, healthy every second of the minute.
      hosts: [h.idsIn(h.blue, 'InService').length],
      // A unit the metric is not published in finds nothing.
      seconds: [],
    });
  });

  it('pages by MaxDatapoints, leaves out queries with ReturnData false, and sums longer periods', async () => {
    await twoMinutesOfTraffic();
    const main = { LoadBalancer: LB, TargetGroup: tg(h.main) };
    const input = {
      StartTime: new Date(0),
      EndTime: new Date(4 * MINUTE),
      MaxDatapoints: 1,
      MetricDataQueries: [
        query('main', 'RequestCount', 'Sum', main),
        query('hidden', 'RequestCount', 'Sum', main, { ReturnData: false }),
      ],
    };
    const first = await get(input);
    expect(first.MetricDataResults?.map((result) => [result.Id, result.Values, result.StatusCode])).toEqual([
      ['main', [600], 'PartialData'],
    ]);
    const second = await get({ ...input, NextToken: first.NextToken });
    expect(second.MetricDataResults?.[0]).toMatchObject({ Values: [600], StatusCode: 'Complete' });
    expect(second.NextToken).toBeUndefined();
    const fiveMinuteQuery = query('main', 'RequestCount', 'Sum', main, { Label: 'main requests' });
    if (fiveMinuteQuery.MetricStat) fiveMinuteQuery.MetricStat.Period = 300;
    const fiveMinutes = await get({
      StartTime: new Date(0),
      EndTime: new Date(5 * MINUTE),
      MetricDataQueries: [fiveMinuteQuery],
    });
    // One period of five minutes holds the minutes that ended (the one under way is not published yet).
    expect(fiveMinutes.MetricDataResults?.[0]).toMatchObject({ Label: 'main requests', Values: [1200] });
    // Query after query, each newest first: the second query's older minute comes on the next page.
    const two = {
      ...input,
      MaxDatapoints: 3,
      MetricDataQueries: [
        query('main', 'RequestCount', 'Sum', main),
        query('synthetic', 'RequestCount', 'Sum', { LoadBalancer: LB, TargetGroup: tg(h.synthetic) }),
      ],
    };
    const pageOne = await get(two);
    const pageTwo = await get({ ...two, NextToken: pageOne.NextToken });
    const shown = (answer: typeof pageOne) =>
      answer.MetricDataResults?.map((result) => [
        result.Id,
        result.Timestamps?.map((at) => at.getTime() / MINUTE),
        result.StatusCode,
      ]);
    expect(shown(pageOne)).toEqual([
      ['main', [3, 2], 'Complete'],
      ['synthetic', [3], 'PartialData'],
    ]);
    expect(shown(pageTwo)).toEqual([
      ['main', [], 'Complete'],
      ['synthetic', [2], 'Complete'],
    ]);
    const wrongToken = get({ ...input, NextToken: 'bm90LWEtdG9rZW4' });
    expect((await rejection(wrongToken)).name).toBe('InvalidNextToken');
  });
});

describe('GetMetricData refuses what AWS refuses, and what the simulation does not model', () => {
  beforeEach(() => {
    h = createHarness({ now: 10 * MINUTE });
  });
  const main = () => ({ LoadBalancer: LB, TargetGroup: tg(h.main) });

  it('Ids: starting with a lowercase letter, letters, digits and underscores, unique', async () => {
    for (const id of ['Main', '1st', 'main-requests', '']) {
      const error = await rejection(get({ MetricDataQueries: [query(id, 'RequestCount', 'Sum', main())] }));
      expect(error.name).toBe('ValidationException');
    }
    await expect(
      get({ MetricDataQueries: [query('m_1A', 'RequestCount', 'Sum', main())] }),
    ).resolves.toBeDefined();
    const twice = get({
      MetricDataQueries: [
        query('m', 'RequestCount', 'Sum', main()),
        query('m', 'RequestCount', 'Sum', main()),
      ],
    });
    expect((await rejection(twice)).name).toBe('InvalidParameterValueException');
  });

  it('at most 500 queries', async () => {
    const queries = (n: number) =>
      Array.from({ length: n }, (_, i) => query(`q${i}`, 'RequestCount', 'Sum', main()));
    await expect(get({ MetricDataQueries: queries(500) })).resolves.toBeDefined();
    expect((await rejection(get({ MetricDataQueries: queries(501) }))).name).toBe('ValidationException');
  });

  it('a period of whole minutes, StartTime before EndTime, a MetricStat or an Expression', async () => {
    const thirtySeconds = query('m', 'RequestCount', 'Sum', main());
    if (thirtySeconds.MetricStat) thirtySeconds.MetricStat.Period = 30;
    expect((await rejection(get({ MetricDataQueries: [thirtySeconds] }))).name).toBe(
      'InvalidParameterValueException',
    );
    const backwards = get({
      StartTime: new Date(5 * MINUTE),
      EndTime: new Date(5 * MINUTE),
      MetricDataQueries: [query('m', 'RequestCount', 'Sum', main())],
    });
    expect((await rejection(backwards)).name).toBe('InvalidParameterValueException');
    const neither = get({ MetricDataQueries: [{ Id: 'm' }] });
    expect((await rejection(neither)).name).toBe('ValidationException');
    const both = get({
      MetricDataQueries: [{ ...query('m', 'RequestCount', 'Sum', main()), Expression: 'm * 2' }],
    });
    expect((await rejection(both)).name).toBe('ValidationException');
  });

  it('says clearly that expressions and the other extended statistics are not modelled', async () => {
    const expression = get({
      MetricDataQueries: [
        query('m', 'RequestCount', 'Sum', main(), { ReturnData: false }),
        { Id: 'e', Expression: 'm / 60' },
      ],
    });
    await expect(expression).rejects.toThrow(/does not model metric math/);
    const trimmedMean = get({ MetricDataQueries: [query('m', 'TargetResponseTime', 'TM(10%:90%)', main())] });
    await expect(trimmedMean).rejects.toThrow(
      /computes Sum, Average, SampleCount, Minimum, Maximum and pNN.NN only/,
    );
  });
});

describe('GetMetricData authorization (no resource types: cloudwatch:GetMetricData on *)', () => {
  const step = (...statements: PolicyStatement[]): Principal => ({
    name: 'monitor',
    sessionArn: 'arn:aws:sts::123456789012:assumed-role/MonitorRole/monitor',
    policies: [{ Version: '2012-10-17', Statement: statements }],
  });

  it('is denied without the grant and allowed with it', async () => {
    h = createHarness({ now: 10 * MINUTE });
    const call = () =>
      get({
        MetricDataQueries: [query('m', 'RequestCount', 'Sum', { LoadBalancer: LB, TargetGroup: tg(h.main) })],
      });
    const alarmsOnly = step({ Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: '*' });
    const error = await rejection(actingAs(alarmsOnly, call));
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toMatch(/cloudwatch:GetMetricData/);
    const granted = step({ Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' });
    await expect(actingAs(granted, call)).resolves.toMatchObject({ MetricDataResults: [expect.anything()] });
  });
});
