import { CloudWatchClient, DescribeAlarmsCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { chunk } from '../batch';
import { callAws } from './call';

export const cloudWatch = new CloudWatchClient({});

const MAX_ALARM_NAMES_PER_CALL = 100;

export interface AlarmState {
  name: string;
  type: 'MetricAlarm' | 'CompositeAlarm';
  state: StateValue | undefined;
  reason?: string;
}

/**
 * States of the named alarms, metric and composite: DescribeAlarms returns only metric alarms unless
 * AlarmTypes asks for both (AWS-FACTS.md), which would silently drop every composite alarm.
 */
export async function alarmStates(names: readonly string[]): Promise<AlarmState[]> {
  const states: AlarmState[] = [];
  for (const batch of chunk(names, MAX_ALARM_NAMES_PER_CALL)) {
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
