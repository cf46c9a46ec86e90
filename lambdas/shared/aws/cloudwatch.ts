import { CloudWatchClient, DescribeAlarmsCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { chunk } from '../batch';
import { callAws, CLIENT_CONFIG } from './call';
import { traced } from './clients';

export const cloudWatch = traced(new CloudWatchClient(CLIENT_CONFIG));

const MAX_ALARM_NAMES_PER_CALL = 100;

export interface AlarmState {
  name: string;
  type: 'MetricAlarm' | 'CompositeAlarm';
  state: StateValue | undefined;
  reason?: string;
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
  for (const batch of chunk([...new Set(names.map(alarmNameOf))], MAX_ALARM_NAMES_PER_CALL)) {
    let nextToken: string | undefined;
    do {
      const page = await callAws('DescribeAlarms', () =>
        cloudWatch.send(
          new DescribeAlarmsCommand({
            AlarmNames: batch,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: 100,
            NextToken: nextToken,
          }),
        ),
      );
      for (const alarm of page.MetricAlarms ?? []) {
        states.push({
          name: alarm.AlarmName ?? '',
          type: 'MetricAlarm',
          state: alarm.StateValue,
          reason: alarm.StateReason,
        });
      }
      for (const alarm of page.CompositeAlarms ?? []) {
        states.push({
          name: alarm.AlarmName ?? '',
          type: 'CompositeAlarm',
          state: alarm.StateValue,
          reason: alarm.StateReason,
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return states;
}
