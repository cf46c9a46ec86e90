import {
  assertSupported,
  evaluate,
  type AuthorizationRequest,
  type PolicyDocument,
  type PolicyStatement,
} from '../../../../simulator/account/iam/policy-evaluation';

const ACCOUNT = '123456789012';
const groupArn = (name: string, uuid = '3f1c9a2e-7b4d-4e8a-9c61-0d2f5b7e8a14'): string =>
  `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:${uuid}:autoScalingGroupName/${name}`;
const LAUNCH_TEMPLATE = `arn:aws:ec2:us-east-1:${ACCOUNT}:launch-template/lt-0abc`;
const INSTANCE_ROLE = `arn:aws:iam::${ACCOUNT}:role/webapp-instance-role`;

const policy = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const decide = (statements: readonly PolicyStatement[], request: AuthorizationRequest) =>
  evaluate([policy(...statements)], request);
const allowed = (statements: readonly PolicyStatement[], request: AuthorizationRequest): boolean =>
  decide(statements, request).allowed;

// Statements shaped like the ones CDK synthesizes onto the deployment Lambda's role.
const blueGroupWrites: PolicyStatement = {
  Effect: 'Allow',
  Action: ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:EnterStandby'],
  Resource: [`arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/webapp-blue`],
};
const runFromTemplate: PolicyStatement = {
  Effect: 'Allow',
  Action: 'ec2:RunInstances',
  Resource: '*',
  Condition: { ArnLike: { 'ec2:LaunchTemplate': LAUNCH_TEMPLATE } },
};
const tagOnLaunch: PolicyStatement = {
  Effect: 'Allow',
  Action: 'ec2:CreateTags',
  Resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`,
  Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
};
const passInstanceRole: PolicyStatement = {
  Effect: 'Allow',
  Action: 'iam:PassRole',
  Resource: INSTANCE_ROLE,
  Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
};

describe('policy evaluation logic (reference_policies_evaluation-logic.html)', () => {
  it('allows an action on a group ARN whose UUID segment the policy wildcards, and names the statement', () => {
    const request = { action: 'autoscaling:UpdateAutoScalingGroup', resource: groupArn('webapp-blue') };
    expect(decide([blueGroupWrites], request)).toEqual({ allowed: true, statement: blueGroupWrites });
    expect(allowed([blueGroupWrites], { ...request, action: 'autoscaling:EnterStandby' })).toBe(true);
  });

  it('denies by default: no applicable Allow is an implicit deny, with no statement to blame', () => {
    expect(
      decide([blueGroupWrites], {
        action: 'autoscaling:DeleteAutoScalingGroup',
        resource: groupArn('webapp-blue'),
      }),
    ).toEqual({ allowed: false, reason: 'no-allow' });
    expect(
      decide([blueGroupWrites], {
        action: 'autoscaling:UpdateAutoScalingGroup',
        resource: groupArn('webapp-green'),
      }),
    ).toEqual({ allowed: false, reason: 'no-allow' });
    expect(decide([], { action: 'ec2:DescribeInstances', resource: '*' })).toEqual({
      allowed: false,
      reason: 'no-allow',
    });
  });

  it('lets an explicit Deny override any Allow, across policies, and reports the Deny', () => {
    const denyDelete: PolicyStatement = {
      Sid: 'ProtectOtherTeams',
      Effect: 'Deny',
      Action: 'autoscaling:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'autoscaling:ResourceTag/Team': 'webapp' } },
    };
    const broad: PolicyStatement = { Effect: 'Allow', Action: 'autoscaling:*', Resource: '*' };
    const request = {
      action: 'autoscaling:UpdateAutoScalingGroup',
      resource: groupArn('webapp-blue'),
      context: { 'autoscaling:ResourceTag/Team': 'payments' },
    };
    expect(evaluate([policy(broad), policy(denyDelete)], request)).toEqual({
      allowed: false,
      reason: 'explicit-deny',
      statement: denyDelete,
    });
    expect(
      allowed([broad, denyDelete], { ...request, context: { 'autoscaling:ResourceTag/Team': 'webapp' } }),
    ).toBe(true);
  });
});

describe('Action / NotAction (reference_policies_elements_action.html, _notaction.html)', () => {
  it('matches the service prefix and action name case-insensitively', () => {
    const shouty: PolicyStatement = {
      Effect: 'Allow',
      Action: 'AUTOSCALING:updateautoscalinggroup',
      Resource: '*',
    };
    expect(
      allowed([shouty], { action: 'autoscaling:UpdateAutoScalingGroup', resource: groupArn('webapp-blue') }),
    ).toBe(true);
  });

  it('treats * as any run of characters and ? as exactly one character', () => {
    const targets: PolicyStatement = {
      Effect: 'Allow',
      Action: 'elasticloadbalancing:*egisterTargets',
      Resource: '*',
    };
    expect(allowed([targets], { action: 'elasticloadbalancing:RegisterTargets', resource: '*' })).toBe(true);
    expect(allowed([targets], { action: 'elasticloadbalancing:DeregisterTargets', resource: '*' })).toBe(
      true,
    );
    const oneChar: PolicyStatement = { Effect: 'Allow', Action: 'ec2:?escribeInstances', Resource: '*' };
    expect(allowed([oneChar], { action: 'ec2:DescribeInstances', resource: '*' })).toBe(true);
    expect(allowed([oneChar], { action: 'ec2:DescribeInstanceStatus', resource: '*' })).toBe(false);
  });

  it('NotAction with Allow allows every action except those listed', () => {
    const allButIam: PolicyStatement = { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' };
    expect(allowed([allButIam], { action: 'ec2:DescribeInstances', resource: '*' })).toBe(true);
    expect(allowed([allButIam], { action: 'iam:PassRole', resource: INSTANCE_ROLE })).toBe(false);
  });

  it('NotAction with Deny denies every unlisted action but grants nothing itself', () => {
    const onlyReads: PolicyStatement = {
      Effect: 'Deny',
      NotAction: ['ec2:Describe*', 'autoscaling:Describe*'],
      Resource: '*',
    };
    const broad: PolicyStatement = { Effect: 'Allow', Action: '*', Resource: '*' };
    expect(decide([broad, onlyReads], { action: 'ec2:TerminateInstances', resource: '*' })).toMatchObject({
      allowed: false,
      reason: 'explicit-deny',
    });
    expect(
      allowed([broad, onlyReads], { action: 'autoscaling:DescribeAutoScalingGroups', resource: '*' }),
    ).toBe(true);
    expect(allowed([onlyReads], { action: 'autoscaling:DescribeAutoScalingGroups', resource: '*' })).toBe(
      false,
    );
  });
});

describe('Resource / NotResource (reference_policies_elements_resource.html, _notresource.html)', () => {
  it('Resource "*" covers every resource, including the "*" of actions without resource-level permissions', () => {
    const all: PolicyStatement = { Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' };
    expect(allowed([all], { action: 'ec2:DescribeInstances', resource: '*' })).toBe(true);
    expect(allowed([all], { action: 'ec2:DescribeInstances', resource: LAUNCH_TEMPLATE })).toBe(true);
    // ...but a specific ARN pattern does not cover a request made against "*".
    expect(allowed([blueGroupWrites], { action: 'autoscaling:UpdateAutoScalingGroup', resource: '*' })).toBe(
      false,
    );
  });

  it('? matches exactly one character within a segment', () => {
    const fourLetterColour: PolicyStatement = {
      Effect: 'Allow',
      Action: 'autoscaling:UpdateAutoScalingGroup',
      Resource: `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/webapp-????`,
    };
    const request = { action: 'autoscaling:UpdateAutoScalingGroup', resource: groupArn('webapp-blue') };
    expect(allowed([fourLetterColour], request)).toBe(true);
    expect(allowed([fourLetterColour], { ...request, resource: groupArn('webapp-green') })).toBe(false);
  });

  it('a * inside a segment stays in it; a * ending a segment can expand across colons', () => {
    const request = { action: 'autoscaling:UpdateAutoScalingGroup', resource: groupArn('webapp-blue') };
    const midSegment = `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:*Name/webapp-blue`;
    const endOfSegment = `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:*`;
    const stmt = (Resource: string): PolicyStatement => ({
      Effect: 'Allow',
      Action: request.action,
      Resource,
    });
    expect(allowed([stmt(midSegment)], request)).toBe(false);
    expect(allowed([stmt(endOfSegment)], request)).toBe(true);
  });

  it('matches resource ARNs case-sensitively', () => {
    const request = { action: 'autoscaling:UpdateAutoScalingGroup', resource: groupArn('WebApp-Blue') };
    expect(allowed([blueGroupWrites], request)).toBe(false);
  });

  it('NotResource with Deny denies every resource except those listed', () => {
    const onlyBlue: PolicyStatement = {
      Effect: 'Deny',
      Action: 'autoscaling:*',
      NotResource: `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/webapp-blue`,
    };
    const broad: PolicyStatement = { Effect: 'Allow', Action: 'autoscaling:*', Resource: '*' };
    const request = { action: 'autoscaling:EnterStandby', resource: groupArn('webapp-blue') };
    expect(allowed([broad, onlyBlue], request)).toBe(true);
    expect(decide([broad, onlyBlue], { ...request, resource: groupArn('webapp-green') })).toMatchObject({
      reason: 'explicit-deny',
    });
  });
});

describe('Condition element (reference_policies_elements_condition.html, _condition_operators.html)', () => {
  const run = (context?: AuthorizationRequest['context']): AuthorizationRequest => ({
    action: 'ec2:RunInstances',
    resource: '*',
    context,
  });

  it('ArnLike on ec2:LaunchTemplate allows only the named template, and a missing key is false', () => {
    expect(allowed([runFromTemplate], run({ 'ec2:LaunchTemplate': LAUNCH_TEMPLATE }))).toBe(true);
    expect(
      allowed([runFromTemplate], run({ 'ec2:LaunchTemplate': LAUNCH_TEMPLATE.replace('0abc', '0def') })),
    ).toBe(false);
    expect(allowed([runFromTemplate], run())).toBe(false);
  });

  it('ArnLike checks each of the six ARN components separately (the docs’ StringLike-vs-ArnLike example)', () => {
    const pattern = 'arn:aws:someservice:*:111122223333:finance/*';
    const value = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';
    const stmt = (op: string): PolicyStatement => ({
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: '*',
      Condition: { [op]: { 'aws:SourceArn': pattern } },
    });
    expect(allowed([stmt('StringLike')], run({ 'aws:SourceArn': value }))).toBe(true);
    expect(allowed([stmt('ArnLike')], run({ 'aws:SourceArn': value }))).toBe(false);
    expect(
      allowed([stmt('ArnEquals')], run({ 'aws:SourceArn': value.replace('999999999999', '111122223333') })),
    ).toBe(false);
  });

  it('StringEquals on ec2:CreateAction: exact, case-sensitive value; key name case-insensitive', () => {
    const tag = (context: AuthorizationRequest['context']): AuthorizationRequest => ({
      action: 'ec2:CreateTags',
      resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
      context,
    });
    expect(allowed([tagOnLaunch], tag({ 'ec2:CreateAction': 'RunInstances' }))).toBe(true);
    expect(allowed([tagOnLaunch], tag({ 'EC2:createaction': 'RunInstances' }))).toBe(true);
    expect(allowed([tagOnLaunch], tag({ 'ec2:CreateAction': 'runinstances' }))).toBe(false);
    expect(allowed([tagOnLaunch], tag({ 'ec2:CreateAction': 'CreateTags' }))).toBe(false);
    expect(allowed([tagOnLaunch], tag({}))).toBe(false);
  });

  it('iam:PassRole only to the service named in iam:PassedToService', () => {
    const pass = (service?: string): AuthorizationRequest => ({
      action: 'iam:PassRole',
      resource: INSTANCE_ROLE,
      context: { 'iam:PassedToService': service },
    });
    expect(allowed([passInstanceRole], pass('ec2.amazonaws.com'))).toBe(true);
    expect(allowed([passInstanceRole], pass('lambda.amazonaws.com'))).toBe(false);
    expect(allowed([passInstanceRole], pass(undefined))).toBe(false);
  });

  it('ANDs operators and keys, ORs the values listed for one key', () => {
    const stmt: PolicyStatement = {
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: '*',
      Condition: {
        StringEquals: { 'ec2:InstanceType': ['t3.micro', 't3.small'], 'ec2:Region': 'us-east-1' },
        ArnLike: { 'ec2:LaunchTemplate': LAUNCH_TEMPLATE },
      },
    };
    const ctx = {
      'ec2:InstanceType': 't3.small',
      'ec2:Region': 'us-east-1',
      'ec2:LaunchTemplate': LAUNCH_TEMPLATE,
    };
    expect(allowed([stmt], run(ctx))).toBe(true);
    expect(allowed([stmt], run({ ...ctx, 'ec2:InstanceType': 'm5.large' }))).toBe(false);
    expect(allowed([stmt], run({ ...ctx, 'ec2:Region': 'eu-west-1' }))).toBe(false);
    expect(allowed([stmt], run({ ...ctx, 'ec2:LaunchTemplate': undefined }))).toBe(false);
  });

  it('a negated operator NORs its values and is true when the key is missing', () => {
    const stmt: PolicyStatement = {
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: '*',
      Condition: { StringNotLike: { 'ec2:InstanceType': ['p*', 'x1.*'] } },
    };
    expect(allowed([stmt], run({ 'ec2:InstanceType': 't3.micro' }))).toBe(true);
    expect(allowed([stmt], run({ 'ec2:InstanceType': 'p4d.24xlarge' }))).toBe(false);
    expect(allowed([stmt], run({ 'ec2:InstanceType': 'x1.32xlarge' }))).toBe(false);
    expect(allowed([stmt], run())).toBe(true);
  });

  it('...IfExists is true when the key is missing and checks the value when present', () => {
    const stmt: PolicyStatement = {
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: '*',
      Condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t3.*'] } },
    };
    expect(allowed([stmt], run())).toBe(true);
    expect(allowed([stmt], run({ 'ec2:InstanceType': 't3.micro' }))).toBe(true);
    expect(allowed([stmt], run({ 'ec2:InstanceType': 'm5.large' }))).toBe(false);
  });

  it('Null: "true" requires the key to be absent, "false" requires it present', () => {
    const stmt = (value: string): PolicyStatement => ({
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: '*',
      Condition: { Null: { 'aws:RequestTag/Team': value } },
    });
    expect(allowed([stmt('false')], run({ 'aws:RequestTag/Team': 'webapp' }))).toBe(true);
    expect(allowed([stmt('false')], run())).toBe(false);
    expect(allowed([stmt('true')], run())).toBe(true);
  });

  it('Bool and Numeric operators compare booleans and numbers', () => {
    const stmt: PolicyStatement = {
      Effect: 'Allow',
      Action: 'autoscaling:UpdateAutoScalingGroup',
      Resource: '*',
      Condition: {
        Bool: { 'aws:SecureTransport': true },
        NumericLessThanEquals: { 'autoscaling:MaxSize': 10 },
      },
    };
    const update = (context: AuthorizationRequest['context']): AuthorizationRequest => ({
      action: 'autoscaling:UpdateAutoScalingGroup',
      resource: groupArn('webapp-blue'),
      context,
    });
    expect(allowed([stmt], update({ 'aws:SecureTransport': true, 'autoscaling:MaxSize': '10' }))).toBe(true);
    expect(allowed([stmt], update({ 'aws:SecureTransport': 'true', 'autoscaling:MaxSize': '11' }))).toBe(
      false,
    );
    expect(allowed([stmt], update({ 'aws:SecureTransport': false, 'autoscaling:MaxSize': '2' }))).toBe(false);
  });
});

describe('set operators on multivalued keys (reference_policies_condition-single-vs-multi-valued-context-keys.html)', () => {
  const tagRun = (tagKeys?: readonly string[]): AuthorizationRequest => ({
    action: 'ec2:RunInstances',
    resource: '*',
    context: { 'aws:TagKeys': tagKeys },
  });
  const withCondition = (Condition: PolicyStatement['Condition']): PolicyStatement => ({
    Effect: 'Allow',
    Action: 'ec2:RunInstances',
    Resource: '*',
    Condition,
  });

  it('ForAnyValue: true when at least one request value matches; false when the key is missing', () => {
    const stmt = withCondition({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['Team', 'CostCentre'] } });
    expect(allowed([stmt], tagRun(['Name', 'Team']))).toBe(true);
    expect(allowed([stmt], tagRun(['Name']))).toBe(false);
    expect(allowed([stmt], tagRun())).toBe(false);
    expect(allowed([stmt], tagRun([]))).toBe(false);
  });

  it('ForAllValues: true when every request value matches, and also when the key is missing', () => {
    const stmt = withCondition({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['Team', 'Name'] } });
    expect(allowed([stmt], tagRun(['Name', 'Team']))).toBe(true);
    expect(allowed([stmt], tagRun(['Name', 'Owner']))).toBe(false);
    expect(allowed([stmt], tagRun())).toBe(true);
  });

  it('ForAllValues with a negated operator: no request value may match any policy value', () => {
    const stmt = withCondition({ 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'aws:*' } });
    expect(allowed([stmt], tagRun(['Name', 'Team']))).toBe(true);
    expect(allowed([stmt], tagRun(['Name', 'aws:cloudformation:stack-name']))).toBe(false);
  });

  it('refuses a multivalued request value under an operator without a set qualifier', () => {
    const stmt = withCondition({ StringEquals: { 'aws:TagKeys': 'Team' } });
    expect(() => evaluate([policy(stmt)], tagRun(['Team', 'Name']))).toThrow(/aws:TagKeys/);
  });
});

describe('assertSupported', () => {
  const base: PolicyStatement = { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' };
  const rejects = (statement: PolicyStatement, named: RegExp): void => {
    expect(() => assertSupported(policy(statement))).toThrow(named);
    expect(() => evaluate([policy(statement)], { action: 'ec2:RunInstances', resource: '*' })).toThrow(named);
  };

  it('accepts the CDK-shaped statements used above', () => {
    for (const s of [blueGroupWrites, runFromTemplate, tagOnLaunch, passInstanceRole]) {
      expect(() => assertSupported(policy(s))).not.toThrow();
    }
  });

  it('names condition operators it does not model', () => {
    rejects(
      { ...base, Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } },
      /DateLessThan/,
    );
    rejects({ ...base, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }, /IpAddress/);
    rejects({ ...base, Condition: { NullIfExists: { 'aws:TagKeys': 'true' } } }, /NullIfExists/);
    rejects(
      { ...base, Condition: { 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'a' } } },
      /ForSomeValues/,
    );
  });

  it('rejects policy variables rather than compare them literally', () => {
    rejects({ ...base, Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` }, /policy variable/);
    rejects(
      { ...base, Condition: { StringEquals: { 'aws:PrincipalTag/Team': '${aws:username}' } } },
      /policy variable/,
    );
  });

  it('rejects elements outside identity policies and malformed statements', () => {
    rejects({ ...base, Principal: '*' } as unknown as PolicyStatement, /Principal/);
    rejects({ Effect: 'Allow', Resource: '*' }, /Action/);
    rejects({ Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*', NotResource: '*' }, /Resource/);
    rejects({ ...base, Resource: 'arn:aws:*:us-east-1:123456789012:instance/*' }, /service segment/);
    rejects({ ...base, Condition: { NumericLessThan: { 'autoscaling:MaxSize': 'ten' } } }, /non-numeric/);
    rejects({ ...base, Condition: { ArnLike: { 'ec2:LaunchTemplate': 'lt-0abc' } } }, /non-ARN/);
  });
});
