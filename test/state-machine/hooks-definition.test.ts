import { allStates, type State } from '../support/asl-states';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { BlueGreenDeployment, type BlueGreenDeploymentProps } from '../../infra/blue-green-deployment';
import { loadConfig, parseConfig, type ConfigFile } from '../../infra/config';
import { ConfigurationError } from '../../infra/configuration-error';
import { HOOK_STAGES, historyBudget, settingsSchema } from '../../lambdas/shared/settings';
import {
  resolveDefinition,
  type AslDefinition,
  type CfnTemplate,
} from '../../simulator/engine/resolve-definition';
import { EXAMPLE_CONFIG, synthExample, testApp } from '../support/synth';

const fn = (name: string, region = 'us-east-1') => `arn:aws:lambda:${region}:123456789012:function:${name}`;
const HOOKS = [
  { stage: 'new-fleet-in-service', functionArn: fn('warm-caches') },
  { stage: 'test-traffic', functionArn: fn('contract-tests'), callback: true, timeoutSeconds: 1_800 },
  { stage: 'test-traffic', functionArn: fn('load-test:prod') },
  { stage: 'before-shift', functionArn: fn('change-window') },
  { stage: 'after-shift', functionArn: fn('announce-shift') },
  {
    stage: 'after-finish',
    functionArn: fn('a-function-name-that-is-exactly-sixty-four-characters-long-xxxxx'),
  },
] as const;

function withHooks(hooks: unknown): ConfigFile {
  const config = loadConfig(EXAMPLE_CONFIG);
  return { ...config, deployment: { ...config.deployment, hooks } } as ConfigFile;
}

const { template } = synthExample(withHooks(HOOKS));
const asl: AslDefinition = resolveDefinition(template.toJSON() as CfnTemplate, {
  region: 'us-east-1',
  accountId: '123456789012',
});

const states = allStates(asl);
const names = Object.keys(states);

/** The Parallel (phase) whose branch holds `state`. */
function phaseOf(state: string, definition: { States: Record<string, unknown> } = asl): string | undefined {
  for (const [name, raw] of Object.entries(definition.States)) {
    for (const branch of ((raw as State).Branches as { States: Record<string, unknown> }[] | undefined) ??
      []) {
      // The phase: the outermost Parallel holding it (the after-shift hooks run in one inside the shift's).
      if (state in branch.States || phaseOf(state, branch) !== undefined) return name;
    }
  }
  return undefined;
}

describe('lifecycle hooks in the synthesized definition', () => {
  it('names each hook as a deployment step, at most 80 characters, unique', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'Run hook: new fleet in service (warm-caches)',
        'Run hook: test traffic (contract-tests)',
        'Run hook: test traffic (load-test:prod)',
        'Run hook: before production shift (change-window)',
        'Run hook: after production shift (announce-shift)',
        'Check hook answer: before production shift (change-window)',
      ]),
    );
    for (const name of names) expect(name.length).toBeLessThanOrEqual(80);
    const long = names.filter((name) => name.startsWith('Run hook: after finish ('));
    expect(long).toEqual([expect.stringMatching(/^Run hook: after finish \(a-function-name-.*…\)$/)]);
  });

  it('runs each stage where docs/hooks.md says, so that its failure aborts or rolls back', () => {
    const follows = (state: string) => String(states[state].Next);
    expect(phaseOf('Run hook: new fleet in service (warm-caches)')).toBe(
      'Prepare the new version (production untouched)',
    );
    expect(phaseOf('Run hook: test traffic (contract-tests)')).toBe(
      'Prepare the new version (production untouched)',
    );
    expect(phaseOf('Run hook: before production shift (change-window)')).toBe(
      'Prepare the new version (production untouched)',
    );
    expect(phaseOf('Run hook: after production shift (announce-shift)')).toBe('Shift traffic and monitor');
    expect(phaseOf(long())).toBe('Run hooks after finish');
    // Synthetic checks, then the test-traffic hooks in the configured order, then "new version ready".
    expect(follows('Run synthetic checks')).toBe('Hooks test traffic: is there an old group?');
    expect(follows('Check hook answer: test traffic (contract-tests)')).toBe(
      'Run hook: test traffic (load-test:prod)',
    );
    expect(follows('Check hook answer: test traffic (load-test:prod)')).toBe('Milestone: new version ready');
    // The after-shift hooks run beside the window's monitor, each in a branch of one Parallel.
    const beside = states['Monitor new version while the after-shift hooks run'] as unknown as {
      Branches: { StartAt: string; States: Record<string, { End?: boolean }> }[];
      Next: string;
    };
    expect(beside.Branches.map((branch) => branch.StartAt)).toEqual([
      'Monitor new version during rollback window',
      'Hooks after production shift: is there an old group?',
    ]);
    expect(beside.Branches[1].States['Check hook answer: after production shift (announce-shift)'].End).toBe(
      true,
    );
    expect(follows('Milestone: traffic shifted')).toBe('Monitor new version while the after-shift hooks run');
    expect(beside.Next).toBe('Milestone: rollback window passed');
    expect(follows('Finish deployment')).toBe('Run hooks after finish');
    expect(follows('Run hooks after finish')).toBe('Report: deployment succeeded');
    expect((states['Run hooks after finish'].Catch as { Next: string }[])[0].Next).toBe(
      'Report: deployment succeeded, a hook after it failed',
    );
  });

  function long(): string {
    return names.find((name) => name.startsWith('Run hook: after finish (')) as string;
  }

  it('invokes a direct hook with lambda:invoke and a callback hook with .waitForTaskToken and the task token', () => {
    const direct = states['Run hook: before production shift (change-window)'];
    expect(direct).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      TimeoutSeconds: 300,
      ResultSelector: { 'answer.$': '$.Payload' },
      ResultPath: '$.hook',
      Parameters: {
        FunctionName: fn('change-window'),
        Payload: {
          stage: 'before-shift',
          'deploymentId.$': '$$.Execution.Name',
          'amiId.$': '$.amiId',
          'newGroup.$': '$.roles.standby.groupName',
          'oldGroup.$': '$.hookEvent.oldGroup',
          endpoint: 'http://webapp-alb-1234567890.us-east-1.elb.amazonaws.com',
        },
      },
      Catch: [
        {
          ErrorEquals: ['States.ALL'],
          ResultPath: '$.hook',
          Next: 'Check hook answer: before production shift (change-window)',
        },
      ],
    });
    expect(JSON.stringify(direct.Parameters)).not.toContain('Task.Token');
    const callback = states['Run hook: test traffic (contract-tests)'];
    expect(callback).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 1_800,
      ResultSelector: { 'answer.$': '$' },
      Parameters: { Payload: { 'taskToken.$': '$$.Task.Token', stage: 'test-traffic' } },
    });
    // Only Lambda's own transient failures are retried: the function's errors are its answer.
    const retried = (callback.Retry as { ErrorEquals: string[] }[]).flatMap((retry) => retry.ErrorEquals);
    expect(retried.every((error) => error.startsWith('Lambda.'))).toBe(true);
  });

  it("grants the state machine's role lambda:InvokeFunction on exactly the configured hook ARNs", () => {
    type Statement = { Action: string | string[]; Resource: unknown };
    type Document = { Statement: Statement[] };
    // Every policy of the stack, inline or attached (the simulator evaluates them: simulator/engine/step-roles.ts).
    const roles = template.findResources('AWS::IAM::Role') as Record<
      string,
      { Properties: { Policies?: { PolicyDocument: Document }[] } }
    >;
    // CDK moves what overflows a role's default policy into customer managed policies attached to the role.
    const policies = {
      ...template.findResources('AWS::IAM::Policy'),
      ...template.findResources('AWS::IAM::ManagedPolicy'),
    } as Record<string, { Properties: { PolicyDocument: Document } }>;
    const documents = [
      ...Object.values(roles).flatMap((role) =>
        (role.Properties.Policies ?? []).map((p) => p.PolicyDocument),
      ),
      ...Object.values(policies).map((policy) => policy.Properties.PolicyDocument),
    ];
    const grants = documents
      .flatMap((document) => document.Statement)
      .filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'))
      .flatMap((statement) => [statement.Resource].flat())
      // Plain strings are the hooks' ARNs; the steps' are references to this stack's functions.
      .filter((resource): resource is string => typeof resource === 'string');
    expect(grants.sort()).toEqual([...new Set<string>(HOOKS.map((hook) => hook.functionArn))].sort());
  });

  it('adds nothing without hooks: no hook state, no grant on other functions', () => {
    const { template: plain } = synthExample();
    const text = JSON.stringify(plain.toJSON());
    expect(text).not.toContain('Run hook');
    expect(text).not.toContain(':function:');
  });

  it('counts every hook timeout in the execution timeout', () => {
    const { template: plain } = synthExample();
    const plainAsl = resolveDefinition(plain.toJSON() as CfnTemplate, {
      region: 'us-east-1',
      accountId: '123456789012',
    });
    expect(Number(asl.TimeoutSeconds) - Number(plainAsl.TimeoutSeconds)).toBe(300 + 1_800 + 300 * 4);
  });
});

describe('hooks given to the construct', () => {
  it('takes a function of the same app (its ARN a token until deploy) and grants exactly that function', () => {
    const stack = new Stack(testApp(), 'WithHookFunction', {
      env: { region: 'us-east-1', account: '123456789012' },
    });
    const fn = new lambda.Function(stack, 'ChangeWindow', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ result: "pass" });'),
    });
    const deployment = new BlueGreenDeployment(stack, 'Deployment', {
      ...(loadConfig(EXAMPLE_CONFIG).deployment as BlueGreenDeploymentProps),
      hooks: [{ stage: 'before-shift', functionArn: fn.functionArn }],
    });
    expect(deployment.settings.hooks).toEqual([
      { stage: 'before-shift', functionArn: fn.functionArn, callback: false },
    ]);
    const text = JSON.stringify(Template.fromStack(stack).toJSON());
    const logicalId = stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
    expect(text).toContain(
      `{"Action":"lambda:InvokeFunction","Effect":"Allow","Resource":{"Fn::GetAtt":["${logicalId}","Arn"]}}`,
    );
  });
});

describe("the hooks in the execution history's budget", () => {
  it('counts each hook, its judge and their retries on the longest path', () => {
    const config = loadConfig(EXAMPLE_CONFIG);
    // The settings of the file, less the field only the construct reads.
    const settings = settingsSchema.parse(
      Object.fromEntries(Object.entries(config.deployment).filter(([key]) => key !== 'launchTemplateIds')),
    );
    const without = historyBudget(settings);
    const withHooks = historyBudget({ ...settings, hooks: HOOKS });
    // 6 hooks at 5 stages: 11 events each, 6 per stage, and two spent retriers (6 attempts, 3 events) each.
    expect(withHooks.total - without.total).toBe(6 * 11 + 5 * 6 + 6 * 36);
    expect(withHooks.retries - without.retries).toBe(6 * 36);
  });
});

describe('hook configuration refused at synth, naming the field and the fix', () => {
  const refusal = (hooks: unknown): string => {
    const config = loadConfig(EXAMPLE_CONFIG);
    try {
      parseConfig({ ...config, deployment: { ...config.deployment, hooks } }, 'config/my-app.json');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      return (error as Error).message;
    }
    throw new Error('not refused');
  };

  it.each([
    [
      'a malformed ARN',
      [{ stage: 'before-shift', functionArn: 'my-check' }],
      'config/my-app.json: deployment.hooks.0.functionArn: must be a Lambda function ARN like "arn:aws:lambda:us-east-1:123456789012:function:my-check"',
    ],
    [
      'an unknown stage',
      [{ stage: 'before-finish', functionArn: fn('x') }],
      `deployment.hooks.0.stage: must be one of ${HOOK_STAGES.join(', ')}`,
    ],
    [
      'a function in another Region',
      [{ stage: 'after-shift', functionArn: fn('x', 'eu-west-1') }],
      "deployment.hooks.0.functionArn: is in eu-west-1, but the application is in us-east-1 (its main target group): deploy the hook's function in us-east-1",
    ],
    [
      "a direct hook over Lambda's 15 minutes",
      [{ stage: 'test-traffic', functionArn: fn('x'), timeoutSeconds: 901 }],
      'deployment.hooks.0.timeoutSeconds: must be at most 900: a function answers within Lambda\'s 15-minute limit; set "callback": true',
    ],
    [
      'a callback hook over a day',
      [{ stage: 'test-traffic', functionArn: fn('x'), callback: true, timeoutSeconds: 86_401 }],
      'deployment.hooks.0.timeoutSeconds: must be at most 86400 (a day) for a callback hook',
    ],
    [
      'the same function twice at a stage',
      [
        { stage: 'test-traffic', functionArn: fn('x') },
        { stage: 'test-traffic', functionArn: fn('x') },
      ],
      'deployment.hooks.1.functionArn: runs at test-traffic twice: list each function once per stage',
    ],
    [
      'an unknown field',
      [{ stage: 'test-traffic', functionArn: fn('x'), timeout: 30 }],
      'deployment.hooks.0: unknown field "timeout"',
    ],
  ])('%s', (_what, hooks, message) => {
    expect(refusal(hooks)).toContain(message);
  });

  it("refuses a function outside the stack's Region for the construct too", () => {
    const config = withHooks([{ stage: 'after-shift', functionArn: fn('x', 'eu-west-1') }]);
    expect(() => synthExample(config)).toThrow(/hooks\.0\.functionArn: is in eu-west-1/);
  });
});
