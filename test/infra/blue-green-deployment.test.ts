import { allStates, type State } from '../support/asl-states';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  resolveDefinition,
  type AslDefinition,
  type CfnTemplate,
} from '../../simulator/engine/resolve-definition';
import { LONGEST_PATH_STEPS, SHIFT_STEPS_PER_SHARE } from '../../lambdas/shared/settings';
import { RECOVERY_STATES, SHIFT_STATES } from '../../lambdas/shared/contract';
import { STEP_NAMES } from '../../state-machine/step-registry';
import { TRANSIENT_ERRORS } from '../../state-machine/retry';
import { BlueGreenDeployment, type BlueGreenDeploymentProps } from '../../infra/blue-green-deployment';
import { loadConfig, type ConfigFile } from '../../infra/config';
import { EXAMPLE_CONFIG, synthExample, testApp } from '../support/synth';

const { template, orchestrator } = synthExample();
const asl: AslDefinition = resolveDefinition(template.toJSON() as CfnTemplate, {
  region: 'us-east-1',
  accountId: '123456789012',
});

const states = allStates(asl);
const catchTarget = (name: string) => (states[name].Catch as { Next: string; ErrorEquals: string[] }[])[0];

describe('the state machine', () => {
  it('is a Standard workflow in JSONPath with logs at level ALL, execution data, tracing and a timeout', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    expect(asl.TimeoutSeconds).toBeGreaterThan(3_600);
    expect(JSON.stringify(asl)).not.toMatch(/JSONata/i);
  });

  it.each([
    ['§2.1 validate', 'Validate deployment request'],
    ['§2.2 guard (I5)', 'Make sure no other deployment is running'],
    ['§2.3 resolve roles', 'Find the active and standby groups'],
    ['§2.4 scale standby to zero', 'Scale standby group to zero'],
    ['§2.4 wait until empty', 'Wait until standby group is empty'],
    ['§2.5 launch', 'Launch new version on standby group'],
    ['§2.6 wait in service', 'Wait until new instances are in service'],
    ['§2.7 attach synthetic', 'Attach new group to synthetic target group'],
    ['§2.7 wait synthetic healthy', 'Wait until new targets are healthy in synthetic target group'],
    ['§2.8 synthetic checks', 'Run synthetic checks'],
    ['§2.8 abort', 'Abort: remove the new version'],
    ['§2.9 attach main', 'Attach new group to main target group'],
    ['§2.9 wait main healthy', 'Wait until new targets are healthy in main target group'],
    ['§2.9 old fleet to standby', 'Put old fleet in standby'],
    ['§2.9 wait standby', 'Wait until old fleet is in standby'],
    ['§2.10 monitor', 'Monitor new version during rollback window'],
    ['§2.11 detach old group', 'Detach old group from target groups'],
    ['§2.11 wait detached', 'Wait until old group has left target groups'],
    ['§2.11 detach new from synthetic', 'Detach new group from synthetic target group'],
    ['§2.11 retire old fleet', 'Retire old fleet'],
    ['§2.12 restore old fleet', 'Put old fleet back in service'],
    ['§2.12 wait old healthy', 'Wait until old targets are healthy in main target group'],
    ['§2.12 remove new group', 'Rollback: detach new group from target groups'],
    ['§2.12 wait new detached', 'Rollback: wait until new group has left target groups'],
    ['§2.12 scale new to zero', 'Rollback: scale new group to zero'],
  ])('has the step %s: "%s"', (_step, name) => {
    expect(states[name]).toBeDefined();
  });

  it('builds every wait from the one polling helper: reset, check with a deadline, done?, pause, check again', () => {
    const waits = Object.keys(states).filter((name) => states[`${name}: check`] !== undefined);
    expect(waits).toHaveLength(19);
    for (const name of waits) {
      expect(states[name]).toMatchObject({
        Type: 'Pass',
        Result: { startedAt: null },
        ResultPath: '$.wait',
        Next: `${name}: check`,
      });
      expect(states[`${name}: check`]).toMatchObject({
        Type: 'Task',
        ResultPath: '$.wait',
        Next: `${name}: done?`,
      });
      const choice = states[`${name}: done?`] as State & { Choices: { Next: string }[] };
      expect(choice.Choices[0].Next).toBe(`${name}: pause`);
      expect(states[`${name}: pause`]).toMatchObject({ Type: 'Wait', Next: `${name}: check` });
      const parameters = states[`${name}: check`].Parameters as Record<string, unknown>;
      // The window and the shares' bakes end in success when they have run their length: no deadline.
      if (name !== 'Monitor new version during rollback window' && name !== SHIFT_STATES.bake)
        expect(parameters.timeoutSeconds).toBeGreaterThan(0);
    }
  });

  it('pauses the rollback window and the bakes until the time its check chose (aligned with CloudWatch), every other wait a fixed interval', () => {
    const monitored = ['Monitor new version during rollback window', SHIFT_STATES.bake];
    for (const window of monitored) {
      expect(states[`${window}: pause`]).toEqual({
        Type: 'Wait',
        TimestampPath: '$.wait.nextCheckAt',
        Next: `${window}: check`,
      });
    }
    const pauses = Object.keys(states).filter(
      (name) => name.endsWith(': pause') && !monitored.some((window) => name === `${window}: pause`),
    );
    expect(pauses).toHaveLength(17);
    for (const name of pauses) {
      expect(states[name].Seconds).toEqual(expect.any(Number));
      expect(states[name]).not.toHaveProperty('TimestampPath');
    }
  });

  it('retries transient AWS and Lambda errors on every task with jittered back-off, and waits out draining for over an hour, without jitter', () => {
    const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(30);
    for (const [, task] of tasks) {
      expect(task.Retry).toEqual([
        {
          ErrorEquals: ['NotReadyError'],
          IntervalSeconds: 10,
          MaxAttempts: 120,
          BackoffRate: 1.5,
          MaxDelaySeconds: 60,
        },
        expect.objectContaining({
          ErrorEquals: [...TRANSIENT_ERRORS],
          BackoffRate: 2,
          MaxAttempts: 6,
          JitterStrategy: 'FULL',
        }),
      ]);
    }
  });

  it('I5: the guard looks twice, once simultaneous starts are visible to ListExecutions', () => {
    expect(states['Make sure no other deployment is running'].Next).toBe(
      'Let simultaneous starts become visible',
    );
    expect(states['Let simultaneous starts become visible']).toMatchObject({ Type: 'Wait', Seconds: 20 });
    expect(states['Let simultaneous starts become visible'].Next).toBe(
      'Make sure no other deployment started meanwhile',
    );
    expect(states['Make sure no other deployment started meanwhile'].Next).toBe(
      'Is another execution deploying this AMI?',
    );
    // An AMI event's execution that leaves its AMI to another ends as skipped; every other goes on.
    expect(states['Is another execution deploying this AMI?']).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.guard.duplicateOf', IsString: true, Next: 'Report: already being deployed' }],
      Default: 'Is a deployment running or a newer release waiting?',
    });
    // whileDeploying: queue-newest (the default): superseded ends as skipped, queued waits and looks again.
    expect(states['Is a deployment running or a newer release waiting?']).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.guard.supersededBy', IsString: true, Next: 'Report: superseded by a newer release' },
        { Variable: '$.guard.queuedBehind', IsString: true, Next: 'Wait for the running deployment to end' },
      ],
      Default: RECOVERY_STATES.itsTurn,
    });
    expect(states['Wait for the running deployment to end: done?']).toMatchObject({
      Default: 'Make sure no other deployment is running',
    });
  });

  it('whileDeploying "reject": the guard is told to refuse (the queue stays, for recoveries)', () => {
    const config = loadConfig(EXAMPLE_CONFIG);
    const built = synthExample({ ...config, deployment: { ...config.deployment, whileDeploying: 'reject' } });
    const rejecting = resolveDefinition(built.template.toJSON() as CfnTemplate, {
      region: 'us-east-1',
      accountId: '123456789012',
    });
    expect(rejecting.States['Make sure no other deployment is running']).toMatchObject({
      Parameters: expect.objectContaining({ whileDeploying: 'reject' }) as unknown,
    });
    expect(states['Make sure no other deployment is running']).toMatchObject({
      Parameters: expect.objectContaining({ whileDeploying: 'queue-newest' }) as unknown,
    });
  });

  it('takes any JSON value as input: the validation step reads it from the context object, no path applied to it', () => {
    // A path applied to a null input is a States.Runtime error, and ResultPath on an input that is not a
    // JSON object a States.ResultPathMatchFailure: neither could be caught and reported as a rejection.
    expect(asl.StartAt).toBe('Validate deployment request');
    const validate = states['Validate deployment request'];
    expect(validate).toMatchObject({
      InputPath: null,
      Parameters: expect.objectContaining({ 'request.$': '$$.Execution.Input' }) as unknown,
    });
    expect(validate).not.toHaveProperty('ResultPath');
    expect(validate).not.toHaveProperty('OutputPath');
  });

  it('I8: a failed request check is a rejection that changes nothing (no cleanup step runs)', () => {
    // The validation's error replaces its input (which need not be a JSON object); a Pass keeps it as the failure.
    expect(catchTarget('Validate deployment request')).toEqual({
      ErrorEquals: ['States.ALL'],
      Next: 'Keep why the request was refused',
    });
    expect(states['Keep why the request was refused']).toMatchObject({
      Type: 'Pass',
      Parameters: { 'failure.$': '$' },
      Next: 'Report: deployment rejected',
    });
    for (const name of [
      'Make sure no other deployment is running',
      'Make sure no other deployment started meanwhile',
      'Find the active and standby groups',
    ]) {
      expect(catchTarget(name)).toMatchObject({
        ErrorEquals: ['States.ALL'],
        Next: 'Report: deployment rejected',
      });
    }
    expect(states['Report: deployment rejected'].Next).toBe('Deployment rejected (nothing changed)');
  });

  it('I2: any failure before the traffic shift aborts and removes the new version', () => {
    expect(catchTarget('Prepare the new version (production untouched)').Next).toBe(
      'Abort: remove the new version',
    );
    const prepare = JSON.stringify(asl.States['Prepare the new version (production untouched)']);
    expect(prepare).not.toContain('Attach new group to main target group');
    expect(prepare).not.toContain('Put old fleet in standby');
  });

  it('I3: any failure after the shift rolls back; a failed rollback ends loudly as manual action needed', () => {
    expect(catchTarget('Shift traffic and monitor').Next).toBe('Roll back to the old version');
    // A failed clean-up keeps the failure that started it beside its own.
    for (const cleanup of ['Roll back to the old version', 'Abort: remove the new version']) {
      expect(catchTarget(cleanup)).toMatchObject({
        Next: 'Report: clean-up failed, manual action needed',
        ResultPath: '$.cleanupFailure',
      });
    }
    expect(states['Report: clean-up failed, manual action needed'].Parameters).toMatchObject({
      'failure.$': '$.failure',
      'cleanupFailure.$': '$.cleanupFailure',
    });
    expect(states['Report: clean-up failed, manual action needed'].Next).toBe('Manual action needed');
    expect(catchTarget('Finish deployment')).toMatchObject({
      Next: 'Report: manual action needed',
      ResultPath: '$.failure',
    });
    expect(states['Manual action needed']).toMatchObject({
      Type: 'Fail',
      Error: 'ManualActionNeeded',
      CausePath: '$.outcome.message',
    });
  });

  it('I1: on the way in the new group is healthy in the main target group before the old fleet stands down', () => {
    expect(states['Attach new group to main target group'].Next).toBe(
      'Wait until new targets are healthy in main target group',
    );
    const choice = states['Wait until new targets are healthy in main target group: done?'];
    expect(choice.Default).toBe('Is there an old fleet to stand down?');
    expect(states['Is there an old fleet to stand down?'].Default).toBe('Put old fleet in standby');
  });

  it('I1: on rollback the old targets are healthy again before the new group is detached', () => {
    expect(states['Put old fleet back in service'].Next).toBe(
      'Wait until old targets are healthy in main target group',
    );
    expect(states['Wait until old targets are healthy in main target group: done?'].Default).toBe(
      'Rollback: detach new group from target groups',
    );
  });

  it('I1: on rollback the new group has left its target groups (drained) before it is scaled to zero', () => {
    expect(states['Rollback: detach new group from target groups'].Next).toBe(
      'Rollback: wait until new group has left target groups',
    );
    expect(states['Rollback: wait until new group has left target groups: check'].Parameters).toMatchObject({
      'groupName.$': '$.roles.standby.groupName',
      targetGroupArns: [
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-main/0123456789abcdef',
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-synthetic/fedcba9876543210',
      ],
      timeoutSeconds: 900,
    });
    expect(states['Rollback: wait until new group has left target groups: done?'].Default).toBe(
      'Rollback: scale new group to zero',
    );
  });

  it('I4: the old group leaves every target group, and that is confirmed, before it is retired', () => {
    expect(states['Detach old group from target groups'].Next).toBe(
      'Wait until old group has left target groups',
    );
    expect(states['Wait until old group has left target groups: done?'].Default).toBe('Retire old fleet');
  });

  it('I3: the history budget counts the Lambda steps of the longest path as the definition has them', () => {
    const lambdaSteps = (definition: { States: Record<string, unknown> }) =>
      Object.entries(definition.States)
        .filter(([name, state]) => (state as State).Type === 'Task' && !name.endsWith(': check'))
        .map(([name]) => name);
    const phaseSteps = (name: string) =>
      lambdaSteps((asl.States[name] as { Branches: { States: Record<string, unknown> }[] }).Branches[0]);
    // A recovery's path (its verdict and its plan, then one clean-up) is shorter than a deployment's.
    const requestChecks = lambdaSteps(asl).filter(
      (name) =>
        !name.startsWith('Report: ') && name !== RECOVERY_STATES.plan && name !== RECOVERY_STATES.check,
    );
    // A gradual shift's steps for each share are counted per share (SHIFT_STEPS_PER_SHARE), not here.
    const perShare: string[] = [SHIFT_STATES.step, SHIFT_STATES.parkOldShare];
    const shiftPhase = phaseSteps('Shift traffic and monitor');
    expect(shiftPhase).toEqual(expect.arrayContaining(perShare));
    expect(perShare).toHaveLength(SHIFT_STEPS_PER_SHARE.byInstances);
    const shift = shiftPhase.filter((name) => !perShare.includes(name));
    const rollback = phaseSteps('Roll back to the old version');
    const finish = phaseSteps('Finish deployment');
    const report = 1;
    expect(
      requestChecks.length +
        phaseSteps('Prepare the new version (production untouched)').length +
        shift.length +
        Math.max(rollback.length, finish.length) +
        report,
    ).toBe(LONGEST_PATH_STEPS.lambda);
    // The steps whose handlers wait out draining with NotReadyError: one in the shift, one in each clean-up.
    expect(shift).toContain('Put old fleet in standby');
    expect(rollback).toContain('Put old fleet back in service');
    expect(finish).toContain('Retire old fleet');
    expect(LONGEST_PATH_STEPS.notReady).toBe(2);
  });

  it('ends each path with a plain-words outcome', () => {
    expect(states['Deployment succeeded']).toMatchObject({ Type: 'Succeed', OutputPath: '$.outcome' });
    expect(states['Deployment rolled back']).toMatchObject({
      Error: 'DeploymentRolledBack',
      CausePath: '$.outcome.message',
    });
    expect(states['Deployment aborted (production untouched)']).toMatchObject({ Error: 'DeploymentAborted' });
    expect(states['Skipped (nothing changed)']).toMatchObject({ Type: 'Succeed' });
  });

  it('passes asl-validator once resolved', async () => {
    const { default: aslValidator } = await import('asl-validator');
    const result = aslValidator(asl);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });
});

/**
 * Reads, plus the actions AWS only authorises on `*`: X-Ray segment upload and the CloudWatch Logs
 * vended-delivery actions Step Functions needs for execution logging.
 */
const READ_OR_AWS_MANDATED_WILDCARD =
  /:(Describe|List|Get)|^xray:Put(TraceSegments|TelemetryRecords)$|^logs:(Create|Get|Update|Delete|List)LogDelivery$|^logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$/;

describe('the Lambda functions', () => {
  it('are one per step, on Node.js 22, traced', () => {
    template.resourceCountIs('AWS::Lambda::Function', STEP_NAMES.length);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', TracingConfig: { Mode: 'Active' } });
    }
  });

  it('have least-privilege policies: no wildcard action, `*` resources only for reads or under a condition', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const stepPolicies = Object.values(policies).filter((policy) =>
      JSON.stringify(policy).match(/StepFunctions|Role/),
    );
    expect(stepPolicies.length).toBeGreaterThan(0);
    for (const policy of Object.values(policies)) {
      const statements = (policy.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } })
        .PolicyDocument.Statement;
      for (const statement of statements) {
        const actions = ([] as string[]).concat(statement.Action as string | string[]);
        for (const action of actions) expect(action).not.toMatch(/(^\*$|:\*$)/);
        const resources = ([] as unknown[]).concat(statement.Resource);
        if (resources.includes('*') && statement.Condition === undefined) {
          for (const action of actions) expect(action).toMatch(READ_OR_AWS_MANDATED_WILDCARD);
        }
      }
    }
  });

  it('scope every Auto Scaling change to the two configured groups', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    const groupScoped = policies.match(/autoScalingGroupName\/[a-z-]+/g) ?? [];
    expect(new Set(groupScoped)).toEqual(
      new Set(['autoScalingGroupName/webapp-blue', 'autoScalingGroupName/webapp-green']),
    );
  });

  it('scope launch-template changes to the groups’ templates', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('launch-template/lt-0123456789abcdef0');
    expect(policies).not.toContain('launch-template/*');
  });

  it('give the guard ListExecutions on this state machine only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'states:ListExecutions',
            Resource: Match.objectLike({
              'Fn::Join': Match.arrayWith([Match.arrayWith([':stateMachine:webapp-blue-green-deployment'])]),
            }),
          }),
        ]),
      },
    });
  });
});

describe('the AMI-published trigger', () => {
  it('starts a deployment with the AMI id when an AMI becomes available', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 AMI State Change'],
        detail: { State: ['available'] },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('StateMachine') },
          InputTransformer: {
            InputPathsMap: { 'detail-ImageId': '$.detail.ImageId' },
            InputTemplate: '{"amiId":<detail-ImageId>,"trigger":"ami-event"}',
          },
        }),
      ],
    });
  });

  it('names the state machine after the application', () => {
    expect(orchestrator.deployment.stateMachine).toBeDefined();
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'webapp-blue-green-deployment',
    });
  });
});

describe('the EC2 Image Builder trigger (imageBuilder)', () => {
  const PIPELINE = 'arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/webapp';
  const example = loadConfig(EXAMPLE_CONFIG);
  const withImageBuilder = (deployment: Record<string, unknown>) =>
    synthExample({
      ...example,
      deployment: { ...example.deployment, imageBuilder: { pipelineArns: [PIPELINE] }, ...deployment },
    } as ConfigFile).template;
  const imageBuilder = withImageBuilder({});

  it('starts a deployment with the image build version ARN when an image is AVAILABLE', () => {
    imageBuilder.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.imagebuilder'],
        'detail-type': ['EC2 Image Builder Image State Change'],
        detail: { state: { status: ['AVAILABLE'] } },
      },
      Targets: [
        Match.objectLike({
          InputTransformer: {
            InputPathsMap: { 'resources-0-': '$.resources[0]' },
            InputTemplate: '{"imageBuildVersionArn":<resources-0->,"trigger":"image-builder"}',
          },
        }),
      ],
    });
  });

  it("leaves out the AMI rule by default (Image Builder's AMI is available before its tests), unless asked", () => {
    // The releases' rules (the recovery's, on aws.states, are tested on their own).
    const sources = (t: Template) =>
      Object.values(t.findResources('AWS::Events::Rule'))
        .map((rule) => (rule.Properties as { EventPattern: { source: string[] } }).EventPattern.source[0])
        .filter((source) => source !== 'aws.states');
    expect(sources(imageBuilder)).toEqual(['aws.imagebuilder']);
    expect(sources(withImageBuilder({ deployOnNewAmi: true })).sort()).toEqual([
      'aws.ec2',
      'aws.imagebuilder',
    ]);
    expect(sources(template)).toEqual(['aws.ec2']);
  });

  it("lets the find step read this account's and Region's images, and nothing more", () => {
    const grants = Object.values(imageBuilder.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (policy.Properties as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } })
          .PolicyDocument.Statement,
    );
    const getImage = grants.filter((grant) => JSON.stringify(grant.Action).includes('imagebuilder:'));
    expect(getImage).toHaveLength(1);
    expect(getImage[0].Action).toBe('imagebuilder:GetImage');
    // arn:PARTITION:imagebuilder:REGION:ACCOUNT:image/* of the stack, not `*`.
    expect(JSON.stringify(getImage[0].Resource)).toMatch(
      /":imagebuilder:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":image\/\*"/,
    );
  });
});

describe('the recovery trigger (docs/recovery.md)', () => {
  const example = loadConfig(EXAMPLE_CONFIG);
  const recovering = (recoverStoppedDeployments?: boolean) =>
    synthExample({
      ...example,
      deployment: { ...example.deployment, recoverStoppedDeployments },
    } as ConfigFile).template;

  const recoveryTarget = [
    Match.objectLike({
      Arn: { Ref: Match.stringLikeRegexp('StateMachine') },
      InputTransformer: {
        InputPathsMap: { 'detail-executionArn': '$.detail.executionArn' },
        InputTemplate: '{"recoverFrom":<detail-executionArn>,"trigger":"recovery"}',
      },
    }),
  ];

  it('by default, starts a recovery of an execution of this state machine that was stopped, timed out or failed, unless it is itself a recovery', () => {
    // A failed recovery would otherwise start another, without end; a stopped one is an operator taking over.
    recovering(undefined).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['ABORTED', 'TIMED_OUT', 'FAILED'],
          stateMachineArn: [{ Ref: Match.stringLikeRegexp('StateMachine') }],
          input: [{ 'anything-but': { wildcard: '*"recoverFrom"*' } }],
        },
      },
      Targets: recoveryTarget,
    });
  });

  it('is left out with recoverStoppedDeployments: false', () => {
    const sources = Object.values(recovering(false).findResources('AWS::Events::Rule')).map(
      (rule) => (rule.Properties as { EventPattern: { source: string[] } }).EventPattern.source[0],
    );
    expect(sources).toEqual(['aws.ec2']);
  });
});

describe('synthetic checks from inside a VPC (an internal ALB)', () => {
  const network = {
    subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9'],
    securityGroupIds: ['sg-0123456789abcdef0'],
  };
  const example = loadConfig(EXAMPLE_CONFIG);
  const withNetwork = (value: unknown): ConfigFile =>
    ({
      ...example,
      deployment: {
        ...example.deployment,
        syntheticChecks: { ...example.deployment.syntheticChecks, network: value },
      },
    }) as ConfigFile;
  const { template: inVpc } = synthExample(withNetwork(network));

  const functionsInVpc = (t: typeof template) =>
    Object.entries(t.findResources('AWS::Lambda::Function')).filter(
      ([, fn]) => (fn.Properties as Record<string, unknown>).VpcConfig !== undefined,
    );
  const checksFunction = () => {
    const found = Object.entries(inVpc.findResources('AWS::Lambda::Function')).filter(([id]) =>
      id.includes('runsyntheticchecks'),
    );
    expect(found).toHaveLength(1);
    return found[0];
  };
  const policyOf = (functionId: string) => {
    const roleId = (
      (checksFunction()[1].Properties as { Role: { 'Fn::GetAtt': string[] } }).Role['Fn::GetAtt'] as string[]
    )[0];
    const policies = Object.entries(inVpc.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
      JSON.stringify((policy.Properties as { Roles: unknown }).Roles).includes(roleId),
    );
    expect(policies).toHaveLength(1);
    expect(functionId).toBeDefined();
    return policies[0];
  };

  it('places the run-synthetic-checks function, and only it, in the configured subnets and security groups', () => {
    const [id, fn] = checksFunction();
    expect(functionsInVpc(inVpc).map(([inVpcId]) => inVpcId)).toEqual([id]);
    expect((fn.Properties as Record<string, unknown>).VpcConfig).toEqual({
      SubnetIds: network.subnetIds,
      SecurityGroupIds: network.securityGroupIds,
    });
  });

  it('gives its role the network-interface actions Lambda needs, scoped to those subnets and security groups', () => {
    const [functionId, fn] = checksFunction();
    const [policyId, policy] = policyOf(functionId);
    const statements = (policy.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } })
      .PolicyDocument.Statement;
    const arn = (resource: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ec2:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:${resource}`,
        ],
      ],
    });
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'ec2:CreateNetworkInterface',
          Resource: [
            arn('network-interface/*'),
            arn('subnet/subnet-0123456789abcdef0'),
            arn('subnet/subnet-0fedcba9'),
            arn('security-group/sg-0123456789abcdef0'),
          ],
        }),
        expect.objectContaining({
          Action: [
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          Resource: arn('network-interface/*'),
        }),
        expect.objectContaining({
          Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
          Resource: '*',
        }),
      ]),
    );
    // Lambda checks the role can create the interfaces when the function is created: the policy comes first.
    expect(fn.DependsOn).toEqual(expect.arrayContaining([policyId]));
  });

  it('keeps `*` for reads only', () => {
    for (const policy of Object.values(inVpc.findResources('AWS::IAM::Policy'))) {
      const statements = (policy.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } })
        .PolicyDocument.Statement;
      for (const statement of statements) {
        if (!([] as unknown[]).concat(statement.Resource).includes('*') || statement.Condition) continue;
        for (const action of ([] as string[]).concat(statement.Action as string | string[])) {
          expect(action).toMatch(READ_OR_AWS_MANDATED_WILDCARD);
        }
      }
    }
  });

  it('accepts the subnets and security group of a VPC defined in the same CDK app (tokens until deploy)', () => {
    const stack = new Stack(testApp(), 'WithVpc');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const securityGroup = new ec2.SecurityGroup(stack, 'Checks', { vpc });
    new BlueGreenDeployment(stack, 'Deployment', {
      ...(example.deployment as BlueGreenDeploymentProps),
      syntheticChecks: {
        ...(example.deployment.syntheticChecks as BlueGreenDeploymentProps['syntheticChecks']),
        network: {
          subnetIds: vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
          securityGroupIds: [securityGroup.securityGroupId],
        },
      },
    });
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const inVpcHere = functions.filter((fn) => (fn.Properties as Record<string, unknown>).VpcConfig);
    expect(inVpcHere).toHaveLength(1);
    expect((inVpcHere[0].Properties as Record<string, unknown>).VpcConfig).toEqual({
      SubnetIds: [
        { Ref: expect.stringMatching(/^VpcIsolatedSubnet1/) },
        { Ref: expect.stringMatching(/^VpcIsolatedSubnet2/) },
      ],
      SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^Checks/), 'GroupId'] }],
    });
  });

  it('leaves every function outside any VPC when no network is configured', () => {
    expect(functionsInVpc(template)).toEqual([]);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('NetworkInterface');
  });

  it.each([
    [
      { subnetIds: [], securityGroupIds: ['sg-0123456789abcdef0'] },
      /network\.subnetIds: needs at least one subnet/,
    ],
    [
      { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: [] },
      /network\.securityGroupIds: needs at least one security group/,
    ],
    [
      { subnetIds: ['sg-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
      /network\.subnetIds\.0: must be a subnet id like "subnet-0123456789abcdef0"/,
    ],
    [
      { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['default'] },
      /network\.securityGroupIds\.0: must be a security group id like "sg-0123456789abcdef0"/,
    ],
    [{ subnetIds: ['subnet-0123456789abcdef0'] }, /network\.securityGroupIds/],
    [{ ...network, vpcId: 'vpc-01234567' }, /network: .*vpcId/],
  ])('refuses network %j at synth time, naming the field', (value, message) => {
    expect(() => synthExample(withNetwork(value))).toThrow(message);
  });
});
