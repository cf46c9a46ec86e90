// Over 250 lines: the construct that assembles the deployment (settings validated from its props, one function and role per registry step, the state machine, its topic, triggers, outputs and observability), each part built by the module it names.
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  hooksElsewhere,
  settingsSchema,
  targetGroupLocation,
  targetGroupsOutside,
  type Settings,
  type SettingsInput,
} from '../lambdas/shared/settings';
import { deploymentDefinition, executionTimeout } from '../state-machine/definition';
import { STEP_NAMES, STEPS, type StepName } from '../state-machine/step-registry';
import { functionTimeoutSeconds } from '../state-machine/step-timeouts';
import type { StepFunctions } from '../state-machine/tasks';
import { ConfigurationError, problemsOf } from './configuration-error';
import { DeploymentObservability } from './deployment-observability';
import { grantHookInvocations } from './hook-permissions';
import { stepFunction } from './lambda-defaults';
import {
  groupNames,
  monitoringSettings,
  targetGroupArns,
  type GroupsProp,
  type MonitoringProp,
  type TargetGroupsProp,
} from './props';
import { stateMachineArnFor, stepPermissions } from './step-permissions';
import { runInChecksNetwork } from './synthetic-checks-network';

/**
 * Configuration of one application's blue/green deployments. Defaults in brackets; bounds are checked at
 * synth time and a bad value fails `cdk synth` with the field and what is allowed.
 */
export interface BlueGreenDeploymentProps {
  /** Names the state machine, the notification topic and the logs. 1–40 letters, digits, hyphens. */
  readonly applicationName: string;
  /**
   * The two Auto Scaling groups, names or groups (infra/props.ts). Which one is active is discovered at run
   * time, never configured.
   */
  readonly groups: GroupsProp;
  /** The group that receives the first deployment, when neither group serves yet. [blue] */
  readonly firstDeploymentGroup?: 'blue' | 'green';
  /**
   * The listener's default (main) target group, and the one behind the `Synthetic: True` header rule: ARNs
   * or target groups.
   */
  readonly targetGroups: TargetGroupsProp;
  /** How to tell this application's AMIs from others (the AMI-published trigger sees every AMI). */
  readonly amiSelector: {
    readonly tag?: { readonly key: string; readonly value: string };
    readonly namePattern?: string;
  };
  /**
   * Checks sent through the ALB with the synthetic header before any user traffic reaches the new version:
   * `endpoint` (ALB URL), `header` [Synthetic: True], `checks` ({path, expectedStatus [200], bodyIncludes,
   * maxLatencyMs [2000]}), `repetitions` [3], `versionHeader` (response header that must carry the new AMI
   * id), `requestTimeoutMs` [5000], `network` ({subnetIds, securityGroupIds}: run the checks in these
   * subnets and security groups, to reach an internal ALB) [outside any VPC].
   */
  readonly syntheticChecks: SettingsInput['syntheticChecks'];
  /**
   * The rollback window: `alarmNames` (metric or composite alarms, names, ARNs or alarms, that roll back when
   * in ALARM; empty only with `allowNoAlarms: true` [false]), `rollbackWindowMinutes` [60],
   * `intervalSeconds` [30], `maxUnhealthyTargets` [0], `insufficientDataIs` [ok].
   */
  readonly monitoring: MonitoringProp;
  /** Capacity of the new version. [a copy of the active group's current min/desired/max] */
  readonly capacity?: SettingsInput['capacity'];
  /** Capacity of the first deployment, when there is no active group to copy. [1/2/4] */
  readonly initialCapacity?: SettingsInput['initialCapacity'];
  /**
   * A request made while another deployment runs: `queue-newest` waits for it to end, keeping only the
   * newest release waiting; `reject` refuses it. [queue-newest]
   */
  readonly whileDeploying?: SettingsInput['whileDeploying'];
  /**
   * How production traffic moves to the new version: `{mode, split, canaryPercent, linearStepPercent,
   * bakeMinutes}`, all at once or in baked shares, by instances or by listener weights
   * (docs/design.md#gradual-shift); an execution may override any field. [all at once]
   */
  readonly shift?: SettingsInput['shift'];
  /** Poll interval and deadline of each wait, in seconds (see docs/configuration.md for the defaults). */
  readonly waits?: SettingsInput['waits'];
  /** Minutes the old fleet stays in Standby after the window, for an instant undo, before it is retired. [0] */
  readonly keepOldFleetMinutes?: SettingsInput['keepOldFleetMinutes'];
  /** Minutes an aborted or rolled-back new fleet stays running, detached, for debugging. [0] */
  readonly keepFailedFleetMinutes?: SettingsInput['keepFailedFleetMinutes'];
  /** The groups' launch template ids, to scope launch permissions. [any launch template in the account] */
  readonly launchTemplateIds?: readonly string[];
  /** Roles in the templates' instance profiles, which launching passes to EC2. [none] */
  readonly instanceRoleArns?: readonly string[];
  /**
   * Start a deployment when an AMI becomes available in the account (EventBridge). [true, unless
   * `imageBuilder` is set: Image Builder's AMI is available before its tests]
   */
  readonly deployOnNewAmi?: boolean;
  /**
   * Recover the account automatically when a deployment is stopped, times out or fails outside its own
   * clean-up: the abort, rollback or finish it needed resumes from where it stopped (docs/recovery.md). [true]
   */
  readonly recoverStoppedDeployments?: boolean;
  /** EC2 Image Builder pipelines whose AVAILABLE images deploy: `{pipelineArns: [...]}`. [none] */
  readonly imageBuilder?: SettingsInput['imageBuilder'];
  /**
   * Wait for an operator's approval before the production shift: `{timeoutMinutes, onTimeout, checkEverySeconds}`
   * (docs/design.md#approval-gate). [none: no gate]
   */
  readonly approval?: SettingsInput['approval'];
  /**
   * Lifecycle hooks: Lambda functions of yours, by ARN, run at documented stages of each deployment, each
   * passing or failing it (docs/hooks.md): `[{stage, functionArn, callback?, timeoutSeconds?}]`. The state
   * machine's role may invoke exactly these functions. [none]
   */
  readonly hooks?: SettingsInput['hooks'];
  /**
   * Topic told about every outcome: a topic of this app, or an existing one by ARN with the KMS key it is
   * encrypted with (the reporting step is granted the key). [a new topic]
   */
  readonly notificationTopic?: sns.ITopic | ExistingTopic;
  /** Retention of the workflow's and the steps' logs. [one month] */
  readonly logRetention?: logs.RetentionDays;
}

/** A topic outside this app, as the configuration file names it. */
export interface ExistingTopic {
  readonly topicArn: string;
  /** The customer managed KMS key the topic is encrypted with, if any. */
  readonly kmsKeyArn?: string;
}

/** A blue/green deployment workflow for one application's pair of Auto Scaling groups. */
export class BlueGreenDeployment extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly notificationTopic: sns.ITopic;
  readonly steps: StepFunctions;
  /** The settings as validated and embedded in the definition. */
  readonly settings: Settings;
  readonly amiAvailableRule?: events.Rule;
  /** Starts a deployment when an image of a configured EC2 Image Builder pipeline is AVAILABLE. */
  readonly imageBuilderRule?: events.Rule;
  /** Starts a recovery when a deployment is stopped, times out or fails (none without `recoverStoppedDeployments`). */
  readonly recoveryRule?: events.Rule;
  /** The application's CloudWatch dashboard and the alarm on failed or timed-out executions. */
  readonly observability: DeploymentObservability;

  constructor(scope: Construct, id: string, props: BlueGreenDeploymentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.notificationTopic = notificationTopic(this, props.notificationTopic);
    this.settings = validateSettings(
      {
        applicationName: props.applicationName,
        groups: groupNames(props.groups),
        firstDeploymentGroup: props.firstDeploymentGroup,
        targetGroups: targetGroupArns(props.targetGroups),
        amiSelector: props.amiSelector,
        syntheticChecks: props.syntheticChecks,
        monitoring: monitoringSettings(props.monitoring),
        capacity: props.capacity,
        initialCapacity: props.initialCapacity,
        whileDeploying: props.whileDeploying,
        imageBuilder: props.imageBuilder,
        approval: props.approval,
        hooks: props.hooks,
        shift: props.shift,
        waits: props.waits,
        keepOldFleetMinutes: props.keepOldFleetMinutes,
        keepFailedFleetMinutes: props.keepFailedFleetMinutes,
        notificationTopicArn: this.notificationTopic.topicArn,
        instanceRoleArns: props.instanceRoleArns ? [...props.instanceRoleArns] : undefined,
      },
      { region: stack.region, account: stack.account },
    );

    const stateMachineName = `${this.settings.applicationName}-blue-green-deployment`;
    const resources = {
      groupNames: [this.settings.groups.blue, this.settings.groups.green],
      targetGroupArns: [this.settings.targetGroups.main, this.settings.targetGroups.synthetic],
      launchTemplateIds: props.launchTemplateIds,
      instanceRoleArns: props.instanceRoleArns,
      stateMachineArn: stateMachineArnFor(stack, stateMachineName),
      topicArn: this.notificationTopic.topicArn,
      topicKeyArn: this.notificationTopic.masterKey?.keyArn,
      checksNetwork: this.settings.syntheticChecks.network,
    };
    const functions = {} as Record<StepName, lambda.Function>;
    for (const step of STEP_NAMES) {
      const fn = stepFunction(this, step, {
        logRetention,
        timeout: Duration.seconds(functionTimeoutSeconds(step, this.settings)),
      });
      for (const statement of stepPermissions(stack, step, resources)) fn.addToRolePolicy(statement);
      const network = this.settings.syntheticChecks.network;
      if (network && STEPS[step].inChecksNetwork) runInChecksNetwork(fn, network);
      functions[step] = fn;
    }
    this.steps = functions;

    const definitionScope = new Construct(this, 'Definition');
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', { retention: logRetention });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(
        deploymentDefinition(definitionScope, { steps: this.steps, settings: this.settings }),
      ),
      timeout: executionTimeout(this.settings),
      tracingEnabled: true,
      logs: {
        destination: executionLogs,
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });

    grantHookInvocations(this.stateMachine, this.settings.hooks);

    this.observability = new DeploymentObservability(this, 'Observability', {
      applicationName: this.settings.applicationName,
      stateMachine: this.stateMachine,
      executionLogs,
      topic: this.notificationTopic,
      watchedAlarms: this.settings.monitoring.alarmNames,
      targetGroups: this.settings.targetGroups,
    });

    // Image Builder makes its AMI available before testing it: with a pipeline configured, the AMI's own
    // event would deploy an image its tests may yet fail (docs/design.md#ec2-image-builder).
    if (props.deployOnNewAmi ?? this.settings.imageBuilder === undefined) {
      // The event carries no name or tags: the validate step checks the AMI is this application's and ends
      // the execution as skipped when it is not (docs/aws-facts/launch-templates-and-amis.md#ami-events).
      this.amiAvailableRule = new events.Rule(this, 'DeployOnNewAmi', {
        description: `Deploys each newly available AMI of ${this.settings.applicationName}`,
        eventPattern: {
          source: ['aws.ec2'],
          detailType: ['EC2 AMI State Change'],
          detail: { State: ['available'] },
        },
        targets: [
          new targets.SfnStateMachine(this.stateMachine, {
            input: events.RuleTargetInput.fromObject({
              amiId: events.EventField.fromPath('$.detail.ImageId'),
              trigger: 'ami-event',
            }),
          }),
        ],
      });
    }
    if (props.recoverStoppedDeployments ?? true) {
      // A deployment stopped, timed out or failed outside its own clean-up leaves the account half-way: the
      // state machine's own status change starts a recovery of it (docs/recovery.md). Never of a recovery,
      // told apart by its input (the event carries it as JSON text): a recovery that fails (refused, say,
      // for a permission it lacks) would start another without end, and an operator who stops one is
      // taking over (npm run ops -- recover resumes it).
      this.recoveryRule = new events.Rule(this, 'RecoverStoppedDeployment', {
        description: `Recovers the account after a stopped, timed-out or failed deployment of ${this.settings.applicationName}`,
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          detail: {
            status: ['ABORTED', 'TIMED_OUT', 'FAILED'],
            stateMachineArn: [this.stateMachine.stateMachineArn],
            input: [{ 'anything-but': { wildcard: '*"recoverFrom"*' } }],
          },
        },
        targets: [
          new targets.SfnStateMachine(this.stateMachine, {
            input: events.RuleTargetInput.fromObject({
              recoverFrom: events.EventField.fromPath('$.detail.executionArn'),
              trigger: 'recovery',
            }),
          }),
        ],
      });
    }
    if (this.settings.imageBuilder) {
      // The event names only the image (its build version ARN, the event's one resource), not the pipeline
      // or the AMI: the find step reads both with GetImage (docs/aws-facts/image-builder.md).
      this.imageBuilderRule = new events.Rule(this, 'DeployOnImageBuilderImage', {
        description: `Deploys each image of ${this.settings.applicationName}'s EC2 Image Builder pipelines once AVAILABLE`,
        eventPattern: {
          source: ['aws.imagebuilder'],
          detailType: ['EC2 Image Builder Image State Change'],
          detail: { state: { status: ['AVAILABLE'] } },
        },
        targets: [
          new targets.SfnStateMachine(this.stateMachine, {
            input: events.RuleTargetInput.fromObject({
              imageBuildVersionArn: events.EventField.fromPath('$.resources[0]'),
              trigger: 'image-builder',
            }),
          }),
        ],
      });
    }
  }
}

function notificationTopic(scope: Construct, topic: sns.ITopic | ExistingTopic | undefined): sns.ITopic {
  if (topic === undefined) return new sns.Topic(scope, 'Notifications', { enforceSSL: true });
  if ('node' in topic) return topic;
  return sns.Topic.fromTopicAttributes(scope, 'Notifications', {
    topicArn: topic.topicArn,
    keyArn: topic.kmsKeyArn,
  });
}

/**
 * Validates at synth time. Values not known until deploy time (tokens, e.g. ARNs from another stack) are
 * checked as well-formed placeholders, so the rest of the configuration is still validated. With the
 * stack's Region and account (when they are not tokens: a stack with an explicit `env`), the target groups
 * must be there. Throws a ConfigurationError naming each field and its problem.
 */
export function validateSettings(
  input: SettingsInput,
  stackEnvironment: { region?: string; account?: string } = {},
): Settings {
  const parsed = settingsSchema.safeParse(withTokenPlaceholders(input));
  if (!parsed.success) {
    throw new ConfigurationError(problemsOf(parsed.error, settingsSchema), { heading: INVALID });
  }
  const concrete = (value: string | undefined) =>
    value !== undefined && !Token.isUnresolved(value) ? value : undefined;
  const outside = targetGroupsOutside(input.targetGroups, {
    region: concrete(stackEnvironment.region),
    account: concrete(stackEnvironment.account),
    source: "as the stack's env says",
    fix: "deploy the stack where they are (its env), or use target groups of the stack's Region and account",
  });
  if (outside.length > 0) throw new ConfigurationError(outside, { heading: INVALID });
  const main = concrete(input.targetGroups.main);
  const elsewhere = pipelinesElsewhere(
    input.imageBuilder?.pipelineArns ?? [],
    (main === undefined ? undefined : targetGroupLocation(main)) ?? {
      region: concrete(stackEnvironment.region),
      account: concrete(stackEnvironment.account),
    },
  );
  if (elsewhere.length > 0) throw new ConfigurationError(elsewhere, { heading: INVALID });
  const hooksOutside = hooksElsewhere(
    (input.hooks ?? []).filter((hook) => !Token.isUnresolved(hook.functionArn)),
    concrete(stackEnvironment.region),
    "the stack's env",
  );
  if (hooksOutside.length > 0) throw new ConfigurationError(hooksOutside, { heading: INVALID });
  return restoreTokens(parsed.data, input);
}

/**
 * An image's event goes to the default bus of the pipeline's own account and Region only
 * (docs/aws-facts/image-builder.md): a pipeline elsewhere would never start a deployment here. Checked
 * against where the application is (its main target group, else the stack's env), when that is known.
 */
function pipelinesElsewhere(
  pipelineArns: readonly string[],
  app: { region?: string; account?: string },
): { field: string; problem: string }[] {
  if (app.region === undefined || app.account === undefined) return [];
  return pipelineArns.flatMap((arn, index) => {
    if (Token.isUnresolved(arn)) return [];
    const [, , , region, account] = arn.split(':');
    if (region === app.region && account === app.account) return [];
    return [
      {
        field: `imageBuilder.pipelineArns.${index}`,
        problem:
          `is in ${region}, account ${account}, but the application is in ${app.region}, account ${app.account}: ` +
          `Image Builder sends an image's event to its own account's and Region's default bus only, so this ` +
          `pipeline would never start a deployment. Run the pipeline in ${app.region}, account ${app.account} ` +
          `(it may distribute elsewhere too), or deploy from the pipeline with the AMI id`,
      },
    ];
  });
}

const INVALID = 'Invalid blue/green deployment configuration';

const PLACEHOLDERS = {
  targetGroup: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/placeholder/0123456789abcdef',
  endpoint: 'http://placeholder.invalid',
  subnet: 'subnet-00000000',
  securityGroup: 'sg-00000000',
};

function withTokenPlaceholders(input: SettingsInput): SettingsInput {
  const token = (value: string | undefined, placeholder: string) =>
    value !== undefined && Token.isUnresolved(value) ? placeholder : value;
  // A target group known only at deploy time stands in the Region and account of the other one, if that
  // one is known: the two must be together, and a placeholder elsewhere would be refused for it.
  const targetGroupPlaceholder = (name: string, other: string | undefined) => {
    const where = other === undefined ? undefined : targetGroupLocation(other);
    return where === undefined
      ? PLACEHOLDERS.targetGroup.replace('placeholder', name)
      : `arn:${where.partition}:elasticloadbalancing:${where.region}:${where.account}:targetgroup/${name}/0123456789abcdef`;
  };
  return {
    ...input,
    targetGroups: input.targetGroups && {
      main: token(
        input.targetGroups.main,
        targetGroupPlaceholder('placeholder', input.targetGroups.synthetic),
      ) as string,
      synthetic: token(
        input.targetGroups.synthetic,
        targetGroupPlaceholder('placeholder-2', input.targetGroups.main),
      ) as string,
    },
    syntheticChecks: input.syntheticChecks && {
      ...input.syntheticChecks,
      endpoint: token(input.syntheticChecks.endpoint, PLACEHOLDERS.endpoint) as string,
      network: input.syntheticChecks.network && {
        // Subnets and security groups of a VPC defined in the same app are tokens until deploy time.
        ...input.syntheticChecks.network,
        subnetIds: input.syntheticChecks.network.subnetIds?.map(
          (id) => token(id, PLACEHOLDERS.subnet) as string,
        ),
        securityGroupIds: input.syntheticChecks.network.securityGroupIds?.map(
          (id) => token(id, PLACEHOLDERS.securityGroup) as string,
        ),
      },
    },
    notificationTopicArn: token(input.notificationTopicArn, 'arn:aws:sns:us-east-1:123456789012:placeholder'),
    // A hook's function of the same app is a token until deploy time: it stands in the application's Region.
    hooks: input.hooks?.map((hook) => ({
      ...hook,
      functionArn: token(
        hook.functionArn,
        `arn:aws:lambda:${targetGroupLocation(concreteMain(input))?.region ?? 'us-east-1'}:123456789012:function:placeholder`,
      ) as string,
    })),
    imageBuilder: input.imageBuilder && {
      pipelineArns: input.imageBuilder.pipelineArns.map(
        (arn) =>
          token(arn, 'arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/placeholder') as string,
      ),
    },
  };
}

function restoreTokens(settings: Settings, input: SettingsInput): Settings {
  return {
    ...settings,
    targetGroups: { main: input.targetGroups.main, synthetic: input.targetGroups.synthetic },
    syntheticChecks: {
      ...settings.syntheticChecks,
      endpoint: input.syntheticChecks.endpoint,
      network: input.syntheticChecks.network && {
        subnetIds: [...input.syntheticChecks.network.subnetIds],
        securityGroupIds: [...input.syntheticChecks.network.securityGroupIds],
      },
    },
    notificationTopicArn: input.notificationTopicArn,
    imageBuilder: input.imageBuilder && { pipelineArns: [...input.imageBuilder.pipelineArns] },
    hooks: settings.hooks.map((hook, index) => ({
      ...hook,
      functionArn: input.hooks?.[index].functionArn ?? '',
    })),
  };
}

/** The main target group's ARN when known at synth time, else a placeholder in us-east-1. */
function concreteMain(input: SettingsInput): string {
  const main = input.targetGroups?.main;
  return main !== undefined && !Token.isUnresolved(main) ? main : PLACEHOLDERS.targetGroup;
}
