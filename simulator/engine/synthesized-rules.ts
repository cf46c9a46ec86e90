/**
 * The EventBridge rules of the synthesized template (`AWS::Events::Rule`), as plain data the simulated
 * account's default bus takes (simulator/account/event-rules.ts): the pattern, the state, and each target
 * with its ARN resolved, its input settings and the role EventBridge reaches it through, with that role's
 * policies as synthesized. Nothing is kept by hand: the rules that ship are the rules simulated.
 */
import type { EventRule, RuleState, RuleTarget } from '../account/event-rules';
import { resolveIntrinsics, type CfnTemplate, type ResolveContext } from './resolve-definition';
import { getAttTarget, rolePrincipal } from './step-roles';

/** A rule of the template; `logicalId` names it when the template gives no Name. */
export type SynthesizedRule = EventRule & { readonly logicalId: string };

/** AWS::Events::Rule Target (CloudFormation template reference), as far as the simulation reads it. */
interface CfnTarget {
  Id: string;
  Arn: unknown;
  RoleArn?: unknown;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

const MODELLED_TARGET_KEYS = new Set(['Id', 'Arn', 'RoleArn', 'Input', 'InputPath', 'InputTransformer']);

export function synthesizedRules(template: CfnTemplate, context: ResolveContext): SynthesizedRule[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      // A schedule rule has no pattern: nothing the bus receives matches it.
      if (properties.EventPattern === undefined)
        throw new Error(`Rule ${logicalId}: only event pattern rules are modelled`);
      const name = typeof properties.Name === 'string' ? properties.Name : logicalId;
      const resolve = (value: unknown) => resolveIntrinsics(value, template, context);
      return {
        logicalId,
        name,
        ...(properties.EventBusName !== undefined && {
          eventBusName: String(resolve(properties.EventBusName)),
        }),
        // UNCONFIRMED: a rule without State is taken as ENABLED, as PutRule creates one (CDK spells it out).
        state: (properties.State ?? 'ENABLED') as RuleState,
        eventPattern: resolve(properties.EventPattern) as Record<string, unknown>,
        targets: ((properties.Targets as CfnTarget[] | undefined) ?? []).map((target) =>
          ruleTarget(target, name, template, context),
        ),
      };
    });
}

function ruleTarget(
  target: CfnTarget,
  ruleName: string,
  template: CfnTemplate,
  context: ResolveContext,
): RuleTarget {
  const extra = Object.keys(target).filter((key) => !MODELLED_TARGET_KEYS.has(key));
  if (extra.length)
    throw new Error(`Rule ${ruleName}, target ${target.Id}: ${extra.join(', ')} not modelled`);
  const roleLogicalId = getAttTarget(target.RoleArn);
  if (target.RoleArn !== undefined && !roleLogicalId)
    throw new Error(`Rule ${ruleName}, target ${target.Id}: only a role of the template is modelled`);
  const transformer = target.InputTransformer;
  return {
    id: target.Id,
    arn: String(resolveIntrinsics(target.Arn, template, context)),
    ...(roleLogicalId && { role: rolePrincipal(template, roleLogicalId, ruleName, context) }),
    ...(target.Input !== undefined && { input: target.Input }),
    ...(target.InputPath !== undefined && { inputPath: target.InputPath }),
    ...(transformer && {
      inputTransformer: {
        ...(transformer.InputPathsMap && { inputPathsMap: { ...transformer.InputPathsMap } }),
        inputTemplate: transformer.InputTemplate,
      },
    }),
  };
}
