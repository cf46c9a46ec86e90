/**
 * The simulated account for every test below the scenarios: the reference environment on a fake clock,
 * real SDK clients answered by it, and what a test reads back (the account's state, and the calls that
 * took effect, for the tests where their order or batching is the behaviour).
 */
import {
  AttachTrafficSourcesCommand,
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  EnterStandbyCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateVersionCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import FakeTimers from '@sinonjs/fake-timers';
import { logger } from '../../lambdas/shared/logger';
import {
  DEFAULT_AMIS,
  SimulatedAccount,
  defaultEnvironment,
  type AccountSnapshot,
  type DefaultEnvironmentOptions,
  type EnvironmentDescription,
  type FaultOptions,
} from '../../simulator/account';
import { actingAs } from '../../simulator/account/iam/principal';
import { StepFunctionsExecutions, recordedExecution } from '../../simulator/account/step-functions';
import type { PolicyStatement } from '../../simulator/account/iam/policy-evaluation';

// The handlers log every step; the tests assert on the account, not on log lines.
logger.setLogLevel('SILENT');

export interface HarnessOptions extends DefaultEnvironmentOptions {
  seed?: number;
  faults?: FaultOptions;
  /** Adjust the environment before the account is created. */
  customize?: (environment: EnvironmentDescription) => void;
  /** Where the virtual clock starts (ms since the epoch; 0 by default). */
  now?: number;
  /** Fake setTimeout too (advance it with `clock.tickAsync`), for handlers that pause between attempts. */
  fakeTimeouts?: boolean;
}

/** The ARN of the account's `index`th other target group (see `withTargetGroups`). */
export function targetGroupArn(index: number): string {
  return `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-${index}/${index.toString(16).padStart(16, '0')}`;
}

/** Gives the account `count` more target groups, `targetGroupArn(1)` to `targetGroupArn(count)`. */
export function withTargetGroups(environment: EnvironmentDescription, count: number): void {
  environment.otherTargetGroups = Array.from({ length: count }, (_, i) => ({
    ...environment.mainTargetGroup,
    arn: targetGroupArn(i + 1),
    name: `tg-${i + 1}`,
  }));
}

/** A call that took effect: `operation` as the account names it, e.g. `autoscaling:EnterStandby`. */
export interface AppliedCall {
  operation: string;
  input: Record<string, unknown>;
}

type GroupState = AccountSnapshot['groups'][string];

/** The state machine whose executions the account's Step Functions API lists (see `stepFunctions`). */
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-deploy';

const region = 'us-east-1';
const reads = /:(Describe|List|Get)/;

export function createHarness(options: HarnessOptions = {}) {
  const clock = FakeTimers.withGlobal(globalThis).install({
    now: options.now ?? 0,
    toFake: options.fakeTimeouts ? ['Date', 'setTimeout', 'clearTimeout'] : ['Date'],
  });
  const environment = defaultEnvironment(options);
  options.customize?.(environment);
  const account = new SimulatedAccount(environment, { seed: options.seed, faults: options.faults });
  const applied: AppliedCall[] = [];
  account.onApplied = (operation, input) =>
    applied.push({ operation, input: structuredClone((input ?? {}) as Record<string, unknown>) });
  // Executions that only exist (started with `stepFunctions.start`, RUNNING until stopped): what the
  // Step Functions API shows the steps that read it.
  const stepFunctions = new StepFunctionsExecutions(STATE_MACHINE_ARN, recordedExecution);
  account.serve('states', stepFunctions.routes());
  account.install();
  const group = (name: string): GroupState => {
    const found = account.snapshot().groups[name];
    if (!found) throw new Error(`test bug: no group ${name}`);
    return found;
  };
  const asg = new AutoScalingClient({ region });
  const idsIn = (name: string, state: string): string[] =>
    group(name)
      .instances.filter((instance) => instance.lifecycleState === state)
      .map((instance) => instance.id);
  const run = (seconds: number, each?: () => void): void => {
    for (let i = 0; i < seconds; i++) {
      clock.tick(1000);
      account.tick();
      each?.();
    }
  };
  return {
    clock,
    account,
    environment,
    blue: environment.groups.blue.name,
    green: environment.groups.green.name,
    main: environment.mainTargetGroup.arn,
    synthetic: environment.syntheticTargetGroup.arn,
    asg,
    ec2: new EC2Client({ region }),
    elb: new ElasticLoadBalancingV2Client({ region }),
    cloudWatch: new CloudWatchClient({ region }),
    sns: new SNSClient({ region }),
    stepFunctions,
    /** The messages SNS accepted, in order. */
    published: account.publishedMessages,
    /** The events the default EventBridge bus accepted, in order. */
    events: account.publishedEvents,
    /** Every call that took effect, in order (a retried call once per attempt that took effect). */
    applied,
    /** The changing operations that took effect, in order, e.g. `['SuspendProcesses', 'EnterStandby']`. */
    changes(): string[] {
      return applied.filter((call) => !reads.test(call.operation)).map((call) => unqualified(call));
    },
    /** The inputs of every call of `operation` (e.g. `EnterStandby`) that took effect, in order. */
    inputs<Input = Record<string, unknown>>(operation: string): Input[] {
      return applied.filter((call) => unqualified(call) === operation).map((call) => call.input as Input);
    },
    /** Forget the calls so far (those the arrangement made). */
    forgetCalls(): void {
      applied.length = 0;
    },
    group,
    /** Ids of the group's instances in `state`, in launch order. */
    idsIn,
    /** Target states in a target group, by instance id. */
    health(targetGroupArn: string): Record<string, string> {
      const targetGroup = account.snapshot().targetGroups[targetGroupArn];
      return Object.fromEntries((targetGroup?.targets ?? []).map((target) => [target.id, target.state]));
    },
    /** Traffic source states of a group, by identifier. */
    sources(name: string): Record<string, string> {
      return Object.fromEntries(
        group(name).trafficSources.map((source) => [source.identifier, source.state]),
      );
    },
    /** Advance the virtual clock second by second, ticking the account (and `each`) every second. */
    run,
    /** Advance second by second until `done` holds (failing the test after `limit` seconds). */
    until(done: () => boolean, limit = 3600, each?: () => void): void {
      for (let i = 0; !done(); i++) {
        if (i >= limit) throw new Error(`test bug: the account did not get there in ${limit} s`);
        run(1, each);
      }
    },
    /** As the account owner: puts the group's InService instances in Standby, 20 a call, as AWS allows. */
    async enterStandby(name: string, ids = idsIn(name, 'InService')): Promise<void> {
      for (let i = 0; i < ids.length; i += 20) {
        await asg.send(
          new EnterStandbyCommand({
            AutoScalingGroupName: name,
            InstanceIds: ids.slice(i, i + 20),
            ShouldDecrementDesiredCapacity: true,
          }),
        );
      }
    },
    /** As the account owner: tags the group (not propagated to instances), as an operator would. */
    async tag(name: string, key: string, value: string): Promise<void> {
      await asg.send(
        new CreateOrUpdateTagsCommand({
          Tags: [
            {
              ResourceId: name,
              ResourceType: 'auto-scaling-group',
              Key: key,
              Value: value,
              PropagateAtLaunch: false,
            },
          ],
        }),
      );
    },
    dispose(): void {
      account.uninstall();
      clock.uninstall();
    },
  };
}

export type Harness = ReturnType<typeof createHarness>;

/**
 * As the account owner: the production listener's default action forwards to these target groups with these
 * weights (and stickiness, if given).
 */
export async function forwardWeighted(
  h: Harness,
  weights: readonly (readonly [string, number])[],
  stickiness?: { Enabled: boolean; DurationSeconds: number },
): Promise<void> {
  await h.elb.send(
    new ModifyListenerCommand({
      ListenerArn: h.account.alb.listenerArn,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: weights.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })),
            ...(stickiness && { TargetGroupStickinessConfig: stickiness }),
          },
        },
      ],
    }),
  );
}

/**
 * As the account owner, the way a deployment's prepare leaves it: green on the new version (two instances),
 * InService and healthy in the synthetic target group.
 */
export async function greenOnSynthetic(h: Harness): Promise<void> {
  const ltId = h.environment.groups.green.launchTemplateId;
  await h.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: ltId,
      SourceVersion: '1',
      LaunchTemplateData: { ImageId: DEFAULT_AMIS.next },
    }),
  );
  await h.asg.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: h.green,
      LaunchTemplate: { LaunchTemplateId: ltId, Version: '2' },
      MaxSize: 2,
      DesiredCapacity: 2,
    }),
  );
  h.run(61);
  await h.asg.send(
    new AttachTrafficSourcesCommand({
      AutoScalingGroupName: h.green,
      TrafficSources: [{ Identifier: h.synthetic }],
    }),
  );
  h.run(5);
}

function unqualified(call: AppliedCall): string {
  return call.operation.slice(call.operation.indexOf(':') + 1);
}

/**
 * Runs `work` as a caller whose identity policy allows everything but `deniedActions` (e.g.
 * `autoscaling:EnterStandby`): the account refuses those calls with the error AWS gives for a denied call.
 */
export function denying<T>(deniedActions: string[], work: () => T): T {
  const statements: PolicyStatement[] = [
    { Effect: 'Allow', Action: '*', Resource: '*' },
    { Effect: 'Deny', Action: deniedActions, Resource: '*' },
  ];
  return actingAs(
    {
      name: 'test-step',
      sessionArn: 'arn:aws:sts::123456789012:assumed-role/test/test-step',
      policies: [{ Statement: statements }],
    },
    work,
  );
}

/** The error a promise rejected with (fails the test when it resolved). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $fault?: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}
