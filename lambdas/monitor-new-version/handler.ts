import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  describeGroup,
  instanceIds,
  instancesIn,
  OPERATOR_REQUEST_TAG,
  operatorRequestOf,
} from '../shared/aws/auto-scaling';
import { alarmNameOf, alarmStates, type AlarmState } from '../shared/aws/cloudwatch';
import {
  summariseTargets,
  targetGroupName,
  targetHealth,
  type TargetState,
  type TargetSummary,
} from '../shared/aws/elb';
import { inServiceTimes } from '../shared/aws/scaling-activities';
import {
  AlarmFiringError,
  AwsRequestError,
  RollbackRequestedError,
  UnhealthyTargetsError,
} from '../shared/errors';
import { defineHandler } from '../shared/handler';
import type { MonitoringSettings } from '../shared/settings/monitoring';
import { waitClock, type WaitState } from '../shared/wait';
import { compareWithOldVersion } from './comparison';
import { InputSchema, type Input } from './input';
import { evaluationPhase, nextCheckAt } from './schedule';

export interface Output extends WaitState {
  windowSeconds: number;
  remainingSeconds: number;
  /**
   * While the window runs: when the next check runs (the loop's pause waits until then), just after one of
   * CloudWatch's alarm evaluations (./schedule.ts).
   */
  nextCheckAt?: string;
}

/**
 * One check of the rollback window. Every failure throws (the workflow rolls back, I3), in order of how
 * plainly it speaks: the operator's request, the alarms, then the new fleet's targets. The window ends
 * with success when it has run its length or an operator promotes early; until then the check says when
 * the next one runs.
 */
async function run(input: Input): Promise<Output> {
  const { startedAt, elapsedSeconds } = waitClock(input.wait);
  const baking = input.stage === 'bake' && input.plan !== undefined;
  const windowSeconds =
    (baking ? (input.plan?.bakeMinutes ?? 0) : input.monitoring.rollbackWindowMinutes) * 60;
  const period = baking ? `the bake of the ${input.plan?.current.share ?? 0}% share` : 'the rollback window';
  const group = await describeGroup(input.groupName);
  const request = operatorRequestOf(group);
  if (request === 'rollback') {
    throw new RollbackRequestedError(
      `An operator asked for a rollback (tag ${OPERATOR_REQUEST_TAG}=rollback on ${input.groupName}) ${minutes(elapsedSeconds)} minutes into ${period}.`,
    );
  }

  const alarms = await checkAlarms(input.monitoring, period);
  const targets = await checkTargets(
    group,
    input.targetGroupArn,
    input.monitoring.maxUnhealthyTargets,
    Date.parse(startedAt),
  );
  const compared = input.plan
    ? await compareWithOldVersion(input.plan, input.monitoring.comparison, input.stage, Date.parse(startedAt))
    : undefined;

  const progress =
    `${alarms.summary}, ${targets.healthy} of ${targets.total} targets healthy` +
    (targets.inGracePeriod > 0 ? ` (${targets.inGracePeriod} in their health check grace period)` : '') +
    (compared ? `; ${compared}` : '');
  // A bake says which share it is: the console and `npm run ops -- status` show this detail.
  const windowText =
    (baking ? `${input.plan?.current.share ?? 0}% share, ` : '') +
    `${minutes(elapsedSeconds)} of ${minutes(windowSeconds)} minutes`;
  let done = false;
  let detail = `${windowText}: ${progress}`;
  if (request === 'promote') {
    done = true;
    detail = `promoted early by an operator at ${windowText}: ${progress}`;
  } else if (elapsedSeconds >= windowSeconds) {
    done = true;
    detail = baking
      ? `${period} passed after ${minutes(windowSeconds)} minutes: ${progress}`
      : `rollback window of ${minutes(windowSeconds)} minutes passed: ${progress}`;
  }
  return {
    startedAt,
    done,
    elapsedSeconds,
    detail,
    windowSeconds,
    remainingSeconds: done ? 0 : windowSeconds - elapsedSeconds,
    ...(done
      ? {}
      : {
          nextCheckAt: nextCheckAt(
            Date.now(),
            input.monitoring.intervalSeconds,
            Date.parse(startedAt) + windowSeconds * 1000,
            evaluationPhase(alarms.lastChanges, input.monitoring.intervalSeconds),
            input.wait.nextCheckAt === undefined ? undefined : Date.parse(input.wait.nextCheckAt),
          ),
        }),
  };
}

/**
 * Throws when an alarm fires or cannot be watched; otherwise describes the alarms for the detail line and
 * says when each last changed (the schedule follows their evaluations).
 */
async function checkAlarms(
  monitoring: MonitoringSettings,
  period: string,
): Promise<{ summary: string; lastChanges: Date[] }> {
  const names = [...new Set(monitoring.alarmNames.map(alarmNameOf))];
  if (names.length === 0) return { summary: 'no alarms configured', lastChanges: [] };
  const states = await alarmStates(names);

  const failing = (alarm: AlarmState) =>
    alarm.state === 'ALARM' ||
    (alarm.state === 'INSUFFICIENT_DATA' && monitoring.insufficientDataIs === 'alarm');
  const firing = states.filter(failing);
  if (firing.length > 0) {
    throw new AlarmFiringError(
      `${firing.length} alarm${firing.length === 1 ? '' : 's'} firing during ${period}: ${firing
        .map((alarm) => `${alarm.name} is ${alarm.state}${alarm.reason ? ` (${alarm.reason})` : ''}`)
        .join('; ')}`,
    );
  }

  // A watched alarm that does not exist would leave the window blind; that is not a pass.
  const found = new Set(states.map((alarm) => alarm.name));
  const missing = names.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new AwsRequestError(
      `Cannot monitor the new version: alarm${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist. Fix monitoring.alarmNames in the deployment configuration (or create the alarm).`,
    );
  }

  const insufficient = states.filter((alarm) => alarm.state === 'INSUFFICIENT_DATA').length;
  return {
    summary: `${names.length} alarm${names.length === 1 ? '' : 's'} OK${insufficient > 0 ? ` (${insufficient} with insufficient data)` : ''}`,
    lastChanges: states.flatMap((alarm) => (alarm.lastChangedAt ? [alarm.lastChangedAt] : [])),
  };
}

/** The new fleet's targets: those in their grace period are counted in `total` only. */
type WindowTargets = TargetSummary & { inGracePeriod: number };

/**
 * Throws when more of the new fleet's InService instances are unhealthy in the main target group than
 * allowed, or when none is healthy there (the old fleet is parked, so users would have nothing: I1).
 * Targets still `initial` (a replacement instance) are neither: they are given time. So are unhealthy
 * targets of instances that entered service in the window less than the group's health check grace period
 * ago: a scale-out during the window can register instances whose application is still starting (a launch hook
 * that completed early), and Auto Scaling itself does not judge them until the grace period, which starts at
 * InService, is over (docs/aws-facts/auto-scaling-groups.md#health-checks); a version that never comes up is
 * still caught once it is over, and by the alarms meanwhile. None healthy always fails (I1).
 */
async function checkTargets(
  group: AutoScalingGroup,
  targetGroupArn: string,
  maxUnhealthyTargets: number,
  windowStartedAt: number,
): Promise<WindowTargets> {
  const groupName = group.AutoScalingGroupName ?? '';
  const inService = instanceIds(instancesIn(group, 'InService'));
  const health = await targetHealth(targetGroupArn);
  const booting = await inGracePeriod(group, health, inService, windowStartedAt);
  const judged = inService.filter((id) => !booting.has(id));
  const targets = summariseTargets(health, judged);
  const main = targetGroupName(targetGroupArn);
  if (targets.unhealthy > maxUnhealthyTargets) {
    throw new UnhealthyTargetsError(
      `${targets.unhealthy} of ${targets.total} targets of ${groupName} are unhealthy in ${main} (at most ${maxUnhealthyTargets} allowed by monitoring.maxUnhealthyTargets).`,
    );
  }
  if (targets.healthy === 0) {
    throw new UnhealthyTargetsError(
      `No target of ${groupName} is healthy in ${main} (${targets.total} InService instances${targets.others ? `: ${targets.others}` : ''}): the new version is not serving.`,
    );
  }
  return { ...targets, total: inService.length, inGracePeriod: booting.size };
}

/**
 * The InService instances unhealthy in the target group that entered service less than the group's health
 * check grace period ago. Read from the scaling activities only when some target is unhealthy, so a
 * healthy window costs no extra call.
 */
async function inGracePeriod(
  group: AutoScalingGroup,
  health: ReadonlyMap<string, TargetState>,
  inService: readonly string[],
  windowStartedAt: number,
): Promise<Set<string>> {
  const unhealthy = inService.filter((id) => health.get(id) === 'unhealthy');
  const graceMs = (group.HealthCheckGracePeriod ?? 0) * 1000;
  if (unhealthy.length === 0 || graceMs === 0) return new Set();
  const now = Date.now();
  const since = await inServiceTimes(group.AutoScalingGroupName ?? '', unhealthy, now);
  // Only instances that entered service in the window: the fleet that took the shift was healthy in the
  // main target group before it, so its own grace period is long over as far as this check is concerned.
  return new Set(
    unhealthy.filter((id) => {
      const entered = since.get(id);
      return entered !== undefined && entered >= windowStartedAt && now < entered + graceMs;
    }),
  );
}

function minutes(seconds: number): number {
  return Math.floor(seconds / 60);
}

export const handler = defineHandler('monitor-new-version', InputSchema, run);
