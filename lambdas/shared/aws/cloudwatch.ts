import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type CompositeAlarm,
  type MetricAlarm,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { allPages, inBatches } from '../batch';
import { callAws, CLIENT_CONFIG } from './call';

export const cloudWatch = new CloudWatchClient(CLIENT_CONFIG);

const MAX_ALARM_NAMES_PER_CALL = 100;

export interface AlarmState {
  name: string;
  type: 'MetricAlarm' | 'CompositeAlarm';
  state: StateValue | undefined;
  reason?: string;
  /** When the state (or its evaluation state) last changed: at one of CloudWatch's evaluations of it. */
  lastChangedAt?: Date;
}

/**
 * An alarm's name from its name or its ARN (`arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME`, CloudWatch's
 * resource type "alarm" in the Service Authorization Reference): the configuration accepts either.
 */
export function alarmNameOf(nameOrArn: string): string {
  const match = /^arn:aws[a-z-]*:cloudwatch:[^:]*:\d{12}:alarm:(.+)$/.exec(nameOrArn);
  return match ? match[1] : nameOrArn;
}

/**
 * States of the named alarms, metric and composite: DescribeAlarms returns only metric alarms unless
 * AlarmTypes asks for both (docs/aws-facts/cloudwatch-alarms.md#describealarms), which would silently drop
 * every composite alarm.
 */
export async function alarmStates(names: readonly string[]): Promise<AlarmState[]> {
  const states: AlarmState[] = [];
  await inBatches([...new Set(names.map(alarmNameOf))], MAX_ALARM_NAMES_PER_CALL, async (AlarmNames) => {
    const described = await allPages(async (NextToken) => {
      const page = await callAws('DescribeAlarms', () =>
        cloudWatch.send(
          new DescribeAlarmsCommand({
            AlarmNames,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: 100,
            NextToken,
          }),
        ),
      );
      const stateOf =
        (type: AlarmState['type']) =>
        (alarm: MetricAlarm | CompositeAlarm): AlarmState => ({
          name: alarm.AlarmName ?? '',
          type,
          state: alarm.StateValue,
          reason: alarm.StateReason,
          lastChangedAt: alarm.StateUpdatedTimestamp ?? alarm.StateTransitionedTimestamp,
        });
      return {
        items: [
          ...(page.MetricAlarms ?? []).map(stateOf('MetricAlarm')),
          ...(page.CompositeAlarms ?? []).map(stateOf('CompositeAlarm')),
        ],
        next: page.NextToken,
      };
    });
    states.push(...described);
  });
  return states;
}
