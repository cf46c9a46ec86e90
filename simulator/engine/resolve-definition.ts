/**
 * Turns the synthesized state machine (CloudFormation `DefinitionString`: an `Fn::Join` of text, `Ref`s and
 * `Fn::GetAtt`s) into the plain Amazon States Language that Step Functions would see, so the local engine
 * and asl-validator run the exact definition `cdk synth` produces, not a hand-kept copy.
 */

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface ResolveContext {
  region: string;
  accountId: string;
  /** What a `Ref` to a resource of the template stands for (defaults to a fake ARN built from its logical id). */
  ref?: (logicalId: string, type: string) => string | undefined;
  /** What `Fn::GetAtt [logicalId, attribute]` stands for (defaults to a fake ARN for `Arn`). */
  getAtt?: (logicalId: string, attribute: string, type: string) => string | undefined;
  /** What `Fn::ImportValue` of another stack's export stands for (unresolvable without it). */
  importValue?: (exportName: string) => string;
}

export type AslDefinition = { StartAt: string; States: Record<string, unknown> } & Record<string, unknown>;

export function findStateMachine(template: CfnTemplate): string {
  const ids = Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one state machine in the template, found ${ids.length}`);
  return ids[0];
}

export function resolveDefinition(
  template: CfnTemplate,
  context: ResolveContext,
  logicalId = findStateMachine(template),
): AslDefinition {
  const definition = template.Resources[logicalId]?.Properties?.DefinitionString;
  if (definition === undefined) throw new Error(`${logicalId} has no DefinitionString`);
  const text = resolveIntrinsics(definition, template, context);
  if (typeof text !== 'string') throw new Error('DefinitionString did not resolve to text');
  return JSON.parse(text) as AslDefinition;
}

/** The fake ARN a template resource stands for, by its CloudFormation type. */
export function fakeArn(logicalId: string, type: string, context: ResolveContext): string {
  const { region, accountId } = context;
  switch (type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${region}:${accountId}:function:${logicalId}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${region}:${accountId}:${logicalId}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${region}:${accountId}:stateMachine:${logicalId}`;
    default:
      return `arn:aws:cloudformation:${region}:${accountId}:resource/${logicalId}`;
  }
}

/**
 * Resolves the intrinsic functions a synthesized property uses (Fn::Join, Ref, Fn::GetAtt, and Fn::ImportValue
 * when the context knows the exports) to plain values.
 */
export function resolveIntrinsics(value: unknown, template: CfnTemplate, context: ResolveContext): unknown {
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, template, context));
  const object = value as Record<string, unknown>;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return (resolveIntrinsics(parts, template, context) as unknown[]).map(String).join(separator);
  }
  if ('Ref' in object) return resolveRef(String(object.Ref), template, context);
  if ('Fn::GetAtt' in object) {
    const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
    const type = template.Resources[logicalId]?.Type ?? 'unknown';
    return context.getAtt?.(logicalId, attribute, type) ?? fakeArn(logicalId, type, context);
  }
  if ('Fn::ImportValue' in object && context.importValue) {
    return context.importValue(String(resolveIntrinsics(object['Fn::ImportValue'], template, context)));
  }
  const intrinsic = Object.keys(object).find((key) => key.startsWith('Fn::'));
  if (intrinsic) throw new Error(`cannot resolve ${intrinsic} in the template`);
  return Object.fromEntries(
    Object.entries(object).map(([key, item]) => [key, resolveIntrinsics(item, template, context)]),
  );
}

function resolveRef(name: string, template: CfnTemplate, context: ResolveContext): string {
  switch (name) {
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::Region':
      return context.region;
    case 'AWS::AccountId':
      return context.accountId;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default: {
      const type = template.Resources[name]?.Type;
      if (!type) throw new Error(`cannot resolve Ref ${name}`);
      return context.ref?.(name, type) ?? fakeArn(name, type, context);
    }
  }
}
