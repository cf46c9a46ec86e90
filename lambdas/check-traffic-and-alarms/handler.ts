import { alarmNameOf, alarmStates } from '../shared/aws/cloudwatch';
import { defineHandler } from '../shared/handler';
import { loadBalancerProblems } from './load-balancer';
import { InputSchema, type Input } from './input';

/**
 * The first half of the pre-flight (docs/design.md#the-pre-flight-check): the load balancer and the alarms. It
 * refuses nothing itself: its problems go to the second half, `preflight-checks`, which refuses with every
 * problem of both at once. Two steps rather than one so that each loads only the SDK clients it uses
 * (Elastic Load Balancing and CloudWatch here; Auto Scaling, EC2 and IAM there): one step with all five was
 * the largest asset and the slowest cold start. Read-only.
 */

export interface Output {
  checked: string[];
  problems: string[];
}

async function run(input: Input): Promise<Output> {
  return {
    checked: CHECKS,
    problems: [...(await loadBalancerProblems(input)), ...(await alarmProblems(input.alarmNames))],
  };
}

const CHECKS = [
  'target groups exist and take instances',
  'the waits outlast the target groups’ draining',
  'the header rule reaches the synthetic target group',
  'alarms exist and none is firing yet',
];

/**
 * A watched alarm that does not exist would fail the deployment after the traffic shift, and one already in
 * ALARM would roll the new version back for what the serving version does.
 */
async function alarmProblems(alarmNames: readonly string[]): Promise<string[]> {
  const names = [...new Set(alarmNames.map(alarmNameOf))];
  if (names.length === 0) return [];
  const states = await alarmStates(names);
  const found = new Set(states.map((alarm) => alarm.name));
  const missing = names.filter((name) => !found.has(name));
  const firing = states.filter((alarm) => alarm.state === 'ALARM').map((alarm) => `"${alarm.name}"`);
  return [
    ...(missing.length === 0
      ? []
      : [
          `monitoring.alarmNames: ${missing.map((name) => `"${name}"`).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist ` +
            `in this account and Region. Correct the name (an alarm's name or ARN), or create the alarm, then deploy the orchestrator again.`,
        ]),
    ...(firing.length === 0
      ? []
      : [
          `${firing.join(', ')} ${firing.length === 1 ? 'is' : 'are'} in ALARM before anything changed: the new version ` +
            `would be rolled back for what the serving version does. Start the deployment once ${firing.length === 1 ? 'it is' : 'they are'} OK.`,
        ]),
  ];
}

export const handler = defineHandler('check-traffic-and-alarms', InputSchema, run);
