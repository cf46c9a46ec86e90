import type { PolicyDocument } from '../account/iam/policy-evaluation';
import type { Principal } from '../account/iam/principal';
import { resolveIntrinsics, type CfnTemplate, type ResolveContext } from './resolve-definition';

type Resource = CfnTemplate['Resources'][string];

/**
 * The identity a step's function runs as, read from the synthesized template: its execution role (the
 * function's `Role`) and every policy CloudFormation attaches to that role, inline or as an
 * `AWS::IAM::Policy`. Nothing here is kept by hand, so the simulation grants exactly what ships.
 * AWS managed policies (`ManagedPolicyArns`: logs, X-Ray, VPC access) grant nothing the steps' AWS calls use
 * and are not evaluated.
 */
export function stepPrincipal(
  template: CfnTemplate,
  functionLogicalId: string,
  context: ResolveContext,
): Principal {
  const fn = template.Resources[functionLogicalId];
  const roleLogicalId = getAttTarget(fn?.Properties?.Role);
  if (!roleLogicalId) throw new Error(`${functionLogicalId} has no execution role in the template`);
  const functionName = (fn?.Properties?.FunctionName as string | undefined) ?? functionLogicalId;
  return { ...rolePrincipal(template, roleLogicalId, functionName, context), name: functionLogicalId };
}

/**
 * Who acts as a role of the template (a step's execution role, the state machine's role, or the role an
 * EventBridge rule's target is reached through): the role's inline policies and every `AWS::IAM::Policy` and
 * customer managed `AWS::IAM::ManagedPolicy` attached to it, as synthesized.
 */
export function rolePrincipal(
  template: CfnTemplate,
  roleLogicalId: string,
  sessionName: string,
  context: ResolveContext,
): Principal {
  const role = template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role of the template`);
  const documents: unknown[] = [];
  for (const inline of (role.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) {
    documents.push(inline.PolicyDocument);
  }
  for (const resource of Object.values(template.Resources)) {
    // CDK moves what overflows a role's default policy into customer managed policies naming the role.
    const attachable = resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy';
    if (attachable && attachesTo(resource, roleLogicalId)) {
      documents.push(resource.Properties?.PolicyDocument);
    }
  }
  return {
    name: roleLogicalId,
    sessionArn: `arn:aws:sts::${context.accountId}:assumed-role/${roleLogicalId}/${sessionName}`,
    policies: documents.map((document) => resolveIntrinsics(document, template, context) as PolicyDocument),
  };
}

/** The logical id a `Fn::GetAtt [id, "Arn"]` names. */
export function getAttTarget(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return getAtt?.[1] === 'Arn' ? getAtt[0] : undefined;
}

function attachesTo(policy: Resource, roleLogicalId: string): boolean {
  const roles = (policy.Properties?.Roles as { Ref?: string }[] | undefined) ?? [];
  return roles.some((role) => role.Ref === roleLogicalId);
}
