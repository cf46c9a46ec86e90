import { Token } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { amiIdSchema } from '../../lambdas/shared/contract';
import { MAX_ROLLBACK_WINDOW_MINUTES, type DeploymentRequest } from '../../lambdas/shared/settings';

export interface BlueGreenDeployActionProps {
  /**
   * The orchestrator's state machine (its stack's `StateMachineArn` output). Imported from a literal ARN, it
   * needs the pipeline's stack to have an explicit `env` in that account and Region (else CDK asks for
   * cross-Region support); imported with `Fn.importValue` of the export, it is in the stack's own.
   */
  readonly stateMachine: IStateMachine;
  /**
   * The AMI to deploy: an AMI id, or a CodePipeline variable resolved when the action runs, e.g. a
   * pipeline-level variable (`new codepipeline.Variable({ variableName: 'AmiId' }).reference()`, pipeline
   * type V2) or an upstream action's output variable.
   */
  readonly amiId: string;
  /** This deployment's rollback window, 0–1440 minutes (default: the configuration's). */
  readonly windowMinutes?: number;
  /** @default 'Deploy' */
  readonly actionName?: string;
  /**
   * The execution's name is `<prefix>-<action execution id>`, so that `npm run ops -- watch --execution
   * NAME --config FILE` finds it. Up to 43 letters, digits, `-` or `_` (a name has at most 80 characters).
   * @default 'codepipeline'
   */
  readonly executionNamePrefix?: string;
  readonly runOrder?: number;
}

/** Step Functions names executions with at most 80 characters; the action execution id takes 37 of them. */
export const EXECUTION_NAME_PREFIX = /^[A-Za-z0-9_-]{1,43}$/;
const VARIABLE_REFERENCE = /^#\{[A-Za-z0-9@_-]+\.[A-Za-z0-9@_-]+\}$/;

/** The execution input of a deployment (docs/configuration.md, "Execution input"), as `npm run ops -- deploy` sends it. */
export function deploymentRequest(props: Pick<BlueGreenDeployActionProps, 'amiId' | 'windowMinutes'>) {
  const { amiId, windowMinutes } = props;
  if (!Token.isUnresolved(amiId) && !VARIABLE_REFERENCE.test(amiId)) {
    // The validate step's own rule: a literal the action accepts is one the deployment accepts.
    const ami = amiIdSchema.safeParse(amiId);
    if (!ami.success) {
      throw new Error(
        `amiId ${ami.error.issues[0]?.message}, or a variable such as #{variables.AmiId}; got "${amiId}"`,
      );
    }
  }
  if (
    windowMinutes !== undefined &&
    (!Number.isInteger(windowMinutes) || windowMinutes < 0 || windowMinutes > MAX_ROLLBACK_WINDOW_MINUTES)
  ) {
    throw new Error(
      `windowMinutes must be a whole number from 0 to ${MAX_ROLLBACK_WINDOW_MINUTES}, got ${windowMinutes}`,
    );
  }
  const request: Pick<DeploymentRequest, 'amiId' | 'overrides'> = {
    amiId,
    ...(windowMinutes !== undefined && { overrides: { rollbackWindowMinutes: windowMinutes } }),
  };
  return request;
}

/**
 * A CodePipeline action that starts a blue/green deployment with the native Step Functions invoke action
 * and gates the stage on it. For a Standard state machine, CodePipeline polls DescribeExecution until the
 * execution ends: the action succeeds if the execution succeeded, and fails if it ended FAILED, TIMED_OUT
 * or ABORTED (https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-StepFunctions.html,
 * "Standard State Machines"). So the stage passes for succeeded, already-serving and skipped, and fails for
 * rejected, aborted, rolled back, kept serving, manual action needed, timed out and stopped.
 */
export class BlueGreenDeployAction extends actions.StepFunctionInvokeAction {
  constructor(props: BlueGreenDeployActionProps) {
    const executionNamePrefix = props.executionNamePrefix ?? 'codepipeline';
    if (!EXECUTION_NAME_PREFIX.test(executionNamePrefix)) {
      throw new Error(
        `executionNamePrefix must be 1–43 letters, digits, - or _ (the execution name is <prefix>-<action execution id>, at most 80 characters), got "${executionNamePrefix}"`,
      );
    }
    super({
      actionName: props.actionName ?? 'Deploy',
      stateMachine: props.stateMachine,
      stateMachineInput: actions.StateMachineInput.literal(deploymentRequest(props)),
      executionNamePrefix,
      runOrder: props.runOrder,
    });
  }
}
