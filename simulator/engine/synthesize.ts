import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { buildApp } from '../../infra/app-builder';
import type { ConfiguredProps } from '../../infra/props';
import { STEP_NAMES, type StepName } from '../../state-machine/step-registry';
import type { Principal } from '../account/iam/principal';
import {
  resolveDefinition,
  type AslDefinition,
  type CfnTemplate,
  type ResolveContext,
} from './resolve-definition';
import { hookTasksOf, isHookTask, type HookTask } from './hook-task-states';
import { getAttTarget, rolePrincipal, stepPrincipal } from './step-roles';
import { synthesizedRules, type SynthesizedRule } from './synthesized-rules';

export interface SynthesizedWorkflow {
  readonly asl: AslDefinition;
  readonly stateMachineArn: string;
  /** Which step handler each Task state runs (the local engine keys its handlers by state name). */
  readonly stepByState: ReadonlyMap<string, StepName>;
  readonly notificationTopicArn: string;
  /** Who each step's function runs as: its role's policies as synthesized. */
  readonly principals: ReadonlyMap<StepName, Principal>;
  /**
   * The template's EventBridge rules, for the simulated account's `setEventRules` (always there when
   * synthesized; a workflow a test makes by hand may leave them out).
   */
  readonly rules?: readonly SynthesizedRule[];
  /** The Tasks that invoke a lifecycle hook's function (docs/hooks.md), by state name. */
  readonly hookTasks?: Readonly<Record<string, HookTask>>;
  /** Who Step Functions acts as when it invokes a hook's function: the state machine's role, as synthesized. */
  readonly stateMachinePrincipal?: Principal;
}

/**
 * Synthesizes the CDK app in-process, exactly as `cdk synth` would (same app builder, same construct), and
 * resolves the state machine to plain ASL. Asset bundling is skipped: the handlers run in-process.
 */
export function synthesizeWorkflow(
  deployment: ConfiguredProps,
  region: string,
  accountId: string,
): SynthesizedWorkflow {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'blue-green-synth-'));
  try {
    // The real `cdk synth` keeps CloudFormation validation (test/infra/cdk-synth.test.ts); here it would cost
    // seconds per configuration for the same template.
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const { orchestrator } = buildApp({ environment: 'existing', deployment }, app);
    const template = app.synth().getStackByName(orchestrator.stackName).template as CfnTemplate;
    const construct = orchestrator.deployment;
    const stepByLogicalId = new Map<string, StepName>(
      STEP_NAMES.map((step) => [
        Stack.of(construct).getLogicalId(construct.steps[step].node.defaultChild as CfnFunction),
        step,
      ]),
    );
    const stateMachineName = construct.settings.applicationName + '-blue-green-deployment';
    const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${stateMachineName}`;
    const functionArn = (step: string) => `arn:aws:lambda:${region}:${accountId}:function:${step}`;
    const topicArn = `arn:aws:sns:${region}:${accountId}:${construct.settings.applicationName}-deployments`;
    const context: ResolveContext = {
      region,
      accountId,
      getAtt: (logicalId, attribute) => {
        const step = stepByLogicalId.get(logicalId);
        return step && attribute === 'Arn' ? functionArn(step) : undefined;
      },
      ref: (_logicalId, type) =>
        type === 'AWS::SNS::Topic'
          ? topicArn
          : type === 'AWS::StepFunctions::StateMachine'
            ? stateMachineArn
            : undefined,
    };
    const asl = resolveDefinition(template, context);
    const principals = new Map<StepName, Principal>();
    for (const [logicalId, step] of stepByLogicalId) {
      principals.set(step, { ...stepPrincipal(template, logicalId, context), name: step });
    }
    return {
      asl,
      stateMachineArn,
      stepByState: tasksToSteps(asl, functionArn),
      notificationTopicArn: topicArn,
      principals,
      rules: synthesizedRules(template, context),
      hookTasks: hookTasksOf(asl),
      stateMachinePrincipal: stateMachinePrincipal(template, context),
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function tasksToSteps(asl: AslDefinition, functionArn: (step: string) => string): Map<string, StepName> {
  const byArn = new Map(STEP_NAMES.map((step) => [functionArn(step), step]));
  const steps = new Map<string, StepName>();
  const visit = (states: Record<string, unknown>) => {
    for (const [name, raw] of Object.entries(states)) {
      const state = raw as {
        Type: string;
        Resource?: string;
        Branches?: { States: Record<string, unknown> }[];
      };
      if (state.Type === 'Task' && isHookTask(state.Resource)) continue;
      if (state.Type === 'Task') {
        const step = byArn.get(state.Resource ?? '');
        if (!step) throw new Error(`Task "${name}" runs ${state.Resource}, which is not a step handler`);
        steps.set(name, step);
      }
      for (const branch of state.Branches ?? []) visit(branch.States);
    }
  };
  visit(asl.States);
  return steps;
}

/** The state machine's role (its `RoleArn`) as a principal, with the policies the template attaches to it. */
function stateMachinePrincipal(template: CfnTemplate, context: ResolveContext): Principal | undefined {
  const machine = Object.values(template.Resources).find(
    (resource) => resource.Type === 'AWS::StepFunctions::StateMachine',
  );
  const roleLogicalId = getAttTarget(machine?.Properties?.RoleArn);
  return roleLogicalId ? rolePrincipal(template, roleLogicalId, 'states', context) : undefined;
}
