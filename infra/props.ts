import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { SettingsInput } from '../lambdas/shared/settings';
import type { BlueGreenDeploymentProps } from './blue-green-deployment';

/**
 * The construct's props name the resources it works on either as the configuration file does (names and
 * ARNs) or as CDK objects of the app that uses it, defined in the same stack, another stack or imported
 * (`AutoScalingGroup.fromAutoScalingGroupName`, `ApplicationTargetGroup.fromTargetGroupAttributes`,
 * `Alarm.fromAlarmArn`, …). An object stands for the name or ARN the settings hold, a token until deploy
 * time when it is created by the app: validated as a well-formed placeholder at synth time
 * (`validateSettings`), resolved by CloudFormation.
 */

/** An Auto Scaling group: its name, or the group (its `autoScalingGroupName`). */
export type GroupReference = string | autoscaling.IAutoScalingGroup;
/** A target group: its ARN, or the target group (its `targetGroupArn`). */
export type TargetGroupReference = string | elbv2.ITargetGroup;
/** A CloudWatch alarm (metric or composite): its name or ARN, or the alarm (its `alarmName`). */
export type AlarmReference = string | cloudwatch.IAlarm;

export interface GroupsProp {
  readonly blue: GroupReference;
  readonly green: GroupReference;
}

export interface TargetGroupsProp {
  readonly main: TargetGroupReference;
  readonly synthetic: TargetGroupReference;
}

/** `monitoring` of the settings, its alarms given by name, ARN or as alarms. */
export type MonitoringProp = Omit<SettingsInput['monitoring'], 'alarmNames'> & {
  readonly alarmNames: readonly AlarmReference[];
};

/** The props as a configuration file gives them: every resource by name or ARN. */
export type ConfiguredProps = Omit<BlueGreenDeploymentProps, 'groups' | 'targetGroups' | 'monitoring'> & {
  readonly groups: SettingsInput['groups'];
  readonly targetGroups: SettingsInput['targetGroups'];
  readonly monitoring: SettingsInput['monitoring'];
};

export function groupName(group: GroupReference): string {
  return typeof group === 'object' && group !== null ? group.autoScalingGroupName : group;
}

export function targetGroupArn(targetGroup: TargetGroupReference): string {
  return typeof targetGroup === 'object' && targetGroup !== null ? targetGroup.targetGroupArn : targetGroup;
}

export function alarmName(alarm: AlarmReference): string {
  return typeof alarm === 'object' && alarm !== null ? alarm.alarmName : alarm;
}

/** The groups' names, as the settings hold them. */
export function groupNames(groups: GroupsProp): SettingsInput['groups'] {
  // A JavaScript caller's missing or malformed value reaches the settings' validation unchanged, named there.
  if (groups === undefined || groups === null) return groups;
  return { blue: groupName(groups.blue), green: groupName(groups.green) };
}

/** The target groups' ARNs, as the settings hold them. */
export function targetGroupArns(targetGroups: TargetGroupsProp): SettingsInput['targetGroups'] {
  if (targetGroups === undefined || targetGroups === null) return targetGroups;
  return { main: targetGroupArn(targetGroups.main), synthetic: targetGroupArn(targetGroups.synthetic) };
}

/** `monitoring` with each alarm by name or ARN, as the settings hold it. */
export function monitoringSettings(monitoring: MonitoringProp): SettingsInput['monitoring'] {
  if (monitoring === undefined || monitoring === null || !Array.isArray(monitoring.alarmNames)) {
    return monitoring as SettingsInput['monitoring'];
  }
  return { ...monitoring, alarmNames: monitoring.alarmNames.map(alarmName) };
}
